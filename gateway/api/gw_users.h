/*  gw_users — erasure (additive; API key when HR_API_KEYS is set):
      DELETE /api/v1/users/{user_id}
    asks interactions-svc to delete everything about the user (its
    PostgreSQL rows, its cached history, its event stream entries) and to
    tell the live consumers to forget the user (docs/security.md).  200 with
    what was deleted — also for a user that never existed, so erasing twice
    is harmless; 400 for an id the API would never have stored.            */
#ifndef GW_USERS_H
#define GW_USERS_H
#include "gw_app.h"

void gw_handle_user_erase (gw_request_t *r, h2o_iovec_t user_id);

#endif
