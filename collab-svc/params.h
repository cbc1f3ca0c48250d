/*  collab_params — the model's knobs by name, so `hybridrec eval --set`,
    `hybridrec train collab --set` and the service's COLLAB_PARAMS variable
    share one table ("window=10,sknn_weight=0.5").                          */
#ifndef COLLAB_PARAMS_H
#define COLLAB_PARAMS_H
#include <stddef.h>
#include <stdio.h>
#include "model.h"
#include "score.h"

/*  Applies "name=value[,name=value...]".  -1 with a message in err naming
    the parameter on unknown names or bad values.                           */
int collab_params_apply (const char *spec, collab_train_params_t *tp,
                         collab_score_params_t *sp, char *err, size_t errlen);
/*  Writes every parameter as "name=value,..." (for logs and model meta).    */
void collab_params_format (const collab_train_params_t *tp, const collab_score_params_t *sp,
                           char *buf, size_t cap);
void collab_params_help (FILE *out);

#endif
