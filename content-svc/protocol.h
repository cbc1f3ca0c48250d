/*  protocol — what content-svc answers (docs/protocol.md, "content"; the
    messages are declared in common/hr_proto.h).

      similar   str product_id, u32 limit
                -> scored list: the product's stored neighbours (never the
                   product itself; empty for an unknown id), strategy
                   CONTENT, source = the product id.
      search    str query, u32 limit
                -> scored list (BM25 + LSA blend, synonyms, typos), strategy
                   SEARCH, source = the query; empty when nothing matches;
                   BAD_REQUEST for an empty/over-long/invalid UTF-8 query.
      for_user  history, u32 limit
                -> two scored lists: clicked (neighbours of the clicked
                   products, newest click weighs most), then search (results
                   of the recent queries, newest weighs most); clicked
                   products never appear in either.
      analyze   str query
                -> str json: tokens, stems, corrections, clauses.          */
#ifndef CONTENT_PROTOCOL_H
#define CONTENT_PROTOCOL_H

#include "hr_proto.h"     /* HR_SERVICE_CONTENT, HR_M_*, HR_CONTENT_LIMIT_MAX */

#define CONTENT_SIMILAR_MAX 255     /* neighbours stored per product <= this */

/*  for_user: how much history is used and how fast it fades (per rank,
    newest first: weight = decay^rank).                                     */
#define CONTENT_USER_CLICKS   20
#define CONTENT_USER_QUERIES  5
#define CONTENT_USER_DECAY    0.7f

#endif
