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
    char **heap;                /* gw_buf_init_heap: the pool's slot of the block */
} gw_buf_t;

void gw_buf_init (gw_buf_t *b, h2o_mem_pool_t *pool, size_t initial);
/*  The same with the bytes in one malloc'd block (grown by realloc), freed
    when `pool` is released unless gw_buf_take took it over first: an
    answer the gateway keeps (gw_cache_put_buf) is then never copied.      */
void gw_buf_init_heap (gw_buf_t *b, h2o_mem_pool_t *pool, size_t initial);
/*  A heap buffer's block, trimmed to its length, now the caller's to free
    (b->data points to it; b must not grow any more).                      */
char *gw_buf_take (gw_buf_t *b);
void gw_buf_reserve (gw_buf_t *b, size_t extra);
void gw_buf_put (gw_buf_t *b, const void *p, size_t n);
void gw_buf_puts (gw_buf_t *b, const char *s);
void gw_buf_putc (gw_buf_t *b, char c);
/*  A JSON string literal (quotes included), escaped.  */
void gw_buf_json_str (gw_buf_t *b, const char *s, size_t n);
void gw_buf_printf (gw_buf_t *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static inline h2o_iovec_t gw_buf_iovec (const gw_buf_t *b) { return h2o_iovec_init (b->data, b->len); }

#endif
