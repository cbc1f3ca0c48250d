/*  trending_memo — bytes derived from one ranking alone, kept with it.

    A home reply's first part (trending, best_value, top categories:
    hr_proto_home_split) depends on the ranking and the limit only, yet
    every /home asked for it again: ~8 lists encoded from scattered
    catalog entries per call.  Each ranking (state.c) owns one memo: the
    first call of a limit encodes and stores, the next ones copy the bytes.
    A new ranking (clicks arrived, new catalog) comes with an empty memo,
    so nothing outlives the ranking it was encoded from.  Each entry keeps
    its bytes' fingerprint (hr_proto_home_fingerprint): home_picks sends
    the bytes only to a caller that does not hold them already.  Thread-safe: the
    worker threads share it (a mutex held for the copy only).            */
#ifndef TRENDING_MEMO_H
#define TRENDING_MEMO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hr_wire.h"

#define TRENDING_MEMO_KEYS 4    /* limits kept; more: the oldest is replaced */

typedef struct trending_memo trending_memo_t;

trending_memo_t *trending_memo_new (void);
void trending_memo_destroy (trending_memo_t **self_p);
/*  Appends the bytes kept for `key` to w (w may be NULL: only the
    fingerprint): true, or false (w untouched) when none.  self may be
    NULL (always false).  fingerprint (may be
    NULL): the bytes' hr_proto_home_fingerprint.                           */
bool trending_memo_get (trending_memo_t *self, uint32_t key, hr_writer_t *w,
                        uint64_t *fingerprint);
/*  The fingerprint of the bytes kept for `key`, without them (home_picks:
    the caller holds those bytes already); false when none.               */
bool trending_memo_fingerprint (trending_memo_t *self, uint32_t key, uint64_t *fingerprint);
/*  Keeps a copy of data for `key` (a key kept already keeps its bytes);
    returns data's fingerprint (also when self is NULL or out of memory).  */
uint64_t trending_memo_put (trending_memo_t *self, uint32_t key, const void *data, size_t len);

#endif
