/*  The configuration tables of cli/config.tsv (the build generates them).  */
#ifndef CLI_CONFIG_H
#define CLI_CONFIG_H
#include "hr_config.h"

extern const hr_config_var_t broker_config[];      /* hybridrec-broker */
extern const hr_config_var_t capacity_config[];    /* hybridrec capacity */

#endif
