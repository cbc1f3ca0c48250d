/*  gw_admin — the administrative JSON endpoints behind the dashboard.

      GET /api/v1/admin/overview           replicas, model versions, catalog, trending
      GET /api/v1/admin/user/{user_id}     history and each strategy's list
      GET /api/v1/admin/product/{id}       similar / also clicked / viewed together
      GET /api/v1/admin/search?query=      the query's analysis, scored results, fallback

    Every list item is the catalog's item JSON plus "score", "strategy",
    "source" and, when the source names products, "source_items" (their
    names: a rule's antecedent, the clicked item behind a neighbour).

    Model versions live in PostgreSQL; the event loop must never wait on it,
    so the server's gw_admin object keeps a copy as an hr_swap snapshot that
    its poller thread refreshes every few seconds, and the overview serves
    that copy.

    Access: when API keys are configured every admin endpoint requires
    `Authorization: Bearer <key>` (401 without, 403 with a wrong one),
    checked by gw_auth like every other protected endpoint.                 */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H
#include <stdbool.h>
#include "gw_app.h"

/*  The admin views' state, owned by the server (gw_app_t.admin): starts
    the model-info poller when there is a database.  NULL on out of memory. */
gw_admin_t *gw_admin_new (const char *database_url);
void gw_admin_destroy (gw_admin_t **self_p);

void gw_handle_admin_overview (gw_request_t *r);
void gw_handle_admin_user (gw_request_t *r, h2o_iovec_t user_id);
void gw_handle_admin_product (gw_request_t *r, h2o_iovec_t product_id);
void gw_handle_admin_search (gw_request_t *r);

#endif
