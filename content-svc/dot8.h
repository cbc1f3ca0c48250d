/*  dot8 — int8 dot products of the semantic scan (search.c).

    A search without enough lexical matches to fill the page scores every
    product's int8 vector against the query's: n × dim multiply-adds, most
    of content's CPU per default 2,000-result search (callgrind: 78 % of
    its instructions before this module).  The products are exact integer
    sums, so the AVX2 path (chosen at run time when the CPU has it) gives
    the same int32 as the portable loop, bit for bit, in any order.         */
#ifndef CONTENT_DOT8_H
#define CONTENT_DOT8_H

#include <stdint.h>

/*  out[i] = sum_k vecs[i * dim + k] * q[k] for i < count.  dim <= 256.
    Every element of vecs within [-127, 127] (search.c's quantize writes no
    -128) when q has no -128 (it then takes the 32-lanes-a-step kernel; a
    query with a -128 takes the 16-lane one, exact for any vecs).          */
void content_dot8_many (const int8_t *vecs, uint32_t count, uint32_t dim,
                        const int8_t *q, int32_t *out);

/*  out[i] = the same for vector rows[i] of vecs, i < count: the products
    a search's lexical matches name, scattered over the catalog (one query
    conversion for all of them, eight at a time as above).                 */
void content_dot8_rows (const int8_t *vecs, uint32_t dim, const uint32_t *rows, uint32_t count,
                        const int8_t *q, int32_t *out);

/*  The same for one vector.  */
int32_t content_dot8 (const int8_t *a, const int8_t *q, uint32_t dim);

#endif
