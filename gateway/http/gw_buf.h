/*  gw_buf — an append-only byte buffer in an h2o memory pool (the response
    body under construction).  Growing copies into a larger pool block; the
    old block is released with the pool, so no frees on the hot path.      */
#ifndef GW_BUF_H
#define GW_BUF_H
#define H2O_USE_LIBUV 0
#include <h2o.h>

typedef struct {
    h2o_mem_pool_t *pool;
    char *data;
    size_t len, cap;
} gw_buf_t;

void gw_buf_init (gw_buf_t *b, h2o_mem_pool_t *pool, size_t initial);
void gw_buf_reserve (gw_buf_t *b, size_t extra);
void gw_buf_put (gw_buf_t *b, const void *p, size_t n);
void gw_buf_puts (gw_buf_t *b, const char *s);
void gw_buf_putc (gw_buf_t *b, char c);
/*  A JSON string literal (quotes included), escaped.  */
void gw_buf_json_str (gw_buf_t *b, const char *s, size_t n);
void gw_buf_printf (gw_buf_t *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static inline h2o_iovec_t gw_buf_iovec (const gw_buf_t *b) { return h2o_iovec_init (b->data, b->len); }

#endif
