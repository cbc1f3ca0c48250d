/*  hr_progress — progress bar on a TTY (stderr), silent otherwise, and a
    rate-limited redraw so hot loops can call it per item.                  */
#ifndef HR_PROGRESS_H
#define HR_PROGRESS_H
#include <stdint.h>
typedef struct hr_progress hr_progress_t;
/*  total 0 = unknown (shows a count and a rate).  */
hr_progress_t *hr_progress_new (const char *label, uint64_t total);
void hr_progress_update (hr_progress_t *self, uint64_t done);
void hr_progress_destroy (hr_progress_t **self_p);   /* finishes the line */
#endif
