/*  trending_serve — trending-svc's requests and service definition; the
    state they read is state.h.                                   */
#ifndef TRENDING_SERVE_H
#define TRENDING_SERVE_H
#include "hr_service.h"
#include "state.h"

extern const hr_service_def_t trending_service_def;
#endif
