/*  collab-svc on the wire (docs/protocol.md, "collab").

    for_user  history, u32 limit  ->  scored list
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
    similar   str product_id, u32 limit  ->  scored list ("also clicked")
        The trained row plus the live deltas; never the product itself;
        a product neither the model nor the overlay knows -> empty list.
    Scores are > 0, descending; strategy = HR_STRAT_COLLAB.  limit is
    clamped to COLLAB_LIMIT_MAX; a malformed body is BAD_REQUEST.            */
#ifndef COLLAB_PROTOCOL_H
#define COLLAB_PROTOCOL_H

#define COLLAB_SERVICE "collab"
#define COLLAB_METHOD_FOR_USER "for_user"
#define COLLAB_METHOD_SIMILAR "similar"
#define COLLAB_LIMIT_MAX 200
#define COLLAB_HISTORY_MAX 1000      /* events beyond this are ignored */
#define COLLAB_STRATEGY_NAME "collab"    /* hr_model_store strategy key */

#endif
