/*  gw_interactions — the interactions endpoints; the body check of POST
    /api/v1/interactions/interactions is a pure function (fuzzed by
    fuzz/fuzz_json_body.c).                                                 */
#ifndef GW_INTERACTIONS_H
#define GW_INTERACTIONS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*  An accepted event; the strings point into the parsed JSON.            */
typedef struct {
    const char *user;
    size_t ulen;
    uint8_t type;               /* hr_event_type_t */
    const char *value;          /* product id, or the normalised query */
    size_t vlen;
} gw_record_t;

/*  Why a body was refused: the HTTP status, the error code and the detail
    the gateway answers with.  */
typedef struct {
    int status;
    const char *error;
    char detail[512];
} gw_reject_t;

/*  Parses and checks a POST body (the spec's rules, see gw_interactions.c).
    Returns the parsed JSON (json_decref it once `out` is no longer needed),
    or NULL with `why` filled.                                              */
json_t *gw_record_parse (const void *data, size_t len, gw_record_t *out, gw_reject_t *why);

/*  The common case without jansson: true when the body is a flat object
    of plain ASCII strings (no escapes) that gw_record_parse would accept;
    `out` then points into data, as gw_record_parse would have filled it.
    false: not decided here, call gw_record_parse.                          */
bool gw_record_parse_plain (const void *data, size_t len, gw_record_t *out);

#endif
