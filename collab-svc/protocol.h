/*  collab-svc on the wire (docs/protocol.md, "collab").

    for_user  history, u32 limit  ->  scored list collab, scored list seqrules
        history = u32 n, then n x (u8 type, str value, i64 ts_ms), newest
        first.  Clicks (type 1) drive the answer; searches are skipped (the
        model is learnt from clicks; content-svc answers queries — see
        EVALUATION.md).  Items already in the history are never returned
        (the gateway hides what the user just clicked).  Scores = the
        trained model plus the live overlay (clicks from the event stream
        since the model was trained, overlay.h), so items the model never
        saw can be answered and can drive the answer.
        `source` of each item = the newest click, the main driver of the
        score (last-item emphasis).  Unknown products and an empty history
        give an empty list, never an error: the gateway fills with trending.
        The second list is the sequential rules of the same history
        (seqrules.h: order alone, the trained rules plus the live ones;
        strategy HR_STRAT_SEQRULES), a source of its own in /home's merge.
    similar   str product_id, u32 limit  ->  scored list ("also clicked")
        The trained row plus the live deltas; never the product itself;
        a product neither the model nor the overlay knows -> empty list.
    Scores are > 0, descending; strategy = HR_STRAT_COLLAB (but seqrules').  limit is
    clamped to HR_COLLAB_LIMIT_MAX; a malformed body is BAD_REQUEST.
    The messages are declared in common/hr_proto.h; the model is polled
    from hr_model_store (strategy HR_MODEL_COLLAB) and swapped with hr_swap. */
#ifndef COLLAB_PROTOCOL_H
#define COLLAB_PROTOCOL_H

#include "hr_proto.h"

#define COLLAB_HISTORY_MAX HR_HISTORY_MAX     /* clicks used per for_user */

#endif
