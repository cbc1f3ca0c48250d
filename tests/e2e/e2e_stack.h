/*  e2e_stack — the real hybridrec stack for end-to-end tests: migrations,
    the sample catalog, trained models, then tests/harness/suite.sh starts
    the five services and the gateway (from HR_BINARY_DIR/bin) against
    DATABASE_URL / REDIS_URL.  Plus small HTTP+JSON helpers.                */
#ifndef E2E_STACK_H
#define E2E_STACK_H
#include <jansson.h>
#include <stdbool.h>
#include "http_client.h"

/*  0 ready; -1 failed (message printed).  Idempotent within a process.    */
int e2e_stack_start (void);
void e2e_stack_stop (void);
/*  Runs `suite.sh <verb> ... <service>` (kill / restart).  */
int e2e_suite (const char *verb, const char *service);
/*  Runs `hybridrec ARGS` (e.g. "train content") against the stack.  0 / -1. */
int e2e_cli (const char *args);
int e2e_port (void);
/*  The gateway's fan-out deadline in the e2e stack (HR_GATEWAY_DEADLINE_MS). */
int e2e_deadline_ms (void);
/*  Milliseconds of wall clock.  */
long long e2e_now_ms (void);

/*  One request on a fresh connection; aborts the test when no response.   */
hr_http_response_t e2e_request (const char *method, const char *target, const char *headers,
                                const char *body);
/*  Checks the status (and the error envelope for errors); returns the JSON
    body (NULL for an empty body).  Caller json_decref()s.  */
json_t *e2e_expect (int status, const char *method, const char *target, const char *body);
void e2e_expect_status (int status, const char *method, const char *target, const char *body);
/*  GET target: the status, the x-cache header in cache ("hit", "miss", ""
    when none), the body when `body` is given (caller json_decref()s).     */
/*  POSTs one product_click of `user` on `product`; asserts 200.          */
void e2e_click (const char *user, const char *product);
int e2e_get_cached (const char *target, char *cache, size_t cap, json_t **body);
bool e2e_has_id (json_t *items, const char *id);
bool e2e_degraded_has (json_t *response, const char *service);
/*  A product id from the live catalog (the first trending item).          */
const char *e2e_some_product (int index);

#endif
