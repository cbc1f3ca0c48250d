/*  gw_buf — pool-backed output buffer.                                      */
#include "gw_buf.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hr_log.h"

void
gw_buf_init (gw_buf_t *b, h2o_mem_pool_t *pool, size_t initial)
{
    b->pool = pool;
    b->cap = initial < 64 ? 64 : initial;
    b->data = h2o_mem_alloc_pool (pool, b->cap);
    b->len = 0;
    b->heap = NULL;
}

static void
s_heap_release (void *slot)
{
    free (*(char **) slot);
}

void
gw_buf_init_heap (gw_buf_t *b, h2o_mem_pool_t *pool, size_t initial)
{
    b->pool = pool;
    b->cap = initial < 64 ? 64 : initial;
    b->heap = h2o_mem_alloc_shared (pool, sizeof *b->heap, s_heap_release);
    *b->heap = b->data = h2o_mem_alloc (b->cap);
    b->len = 0;
}

char *
gw_buf_take (gw_buf_t *b)
{
    char *block = *b->heap;
    *b->heap = NULL;
    char *trimmed = realloc (block, b->len ? b->len : 1);
    if (trimmed)
        block = trimmed;
    b->data = block;
    b->cap = b->len;
    return block;
}

void
gw_buf_reserve (gw_buf_t *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra)
        cap *= 2;
    if (b->heap) {
        b->data = *b->heap = h2o_mem_realloc (b->data, cap);
        b->cap = cap;
        return;
    }
    char *data = h2o_mem_alloc_pool (b->pool, cap);
    memcpy (data, b->data, b->len);
    b->data = data;
    b->cap = cap;
}

void
gw_buf_put (gw_buf_t *b, const void *p, size_t n)
{
    gw_buf_reserve (b, n);
    memcpy (b->data + b->len, p, n);
    b->len += n;
}

void
gw_buf_puts (gw_buf_t *b, const char *s)
{
    gw_buf_put (b, s, strlen (s));
}

void
gw_buf_putc (gw_buf_t *b, char c)
{
    gw_buf_reserve (b, 1);
    b->data[b->len++] = c;
}

void
gw_buf_json_str (gw_buf_t *b, const char *s, size_t n)
{
    /*  Worst case: every byte becomes \u00XX (6 bytes); U+FFFD replacement
        of an invalid byte takes 3.  */
    size_t room = n * 6 + 3;
    gw_buf_reserve (b, room);
    b->data[b->len++] = '"';
    int w = hr_json_escape (b->data + b->len, b->cap - b->len - 1, s, n);
    if (w > 0)
        b->len += (size_t) w;
    b->data[b->len++] = '"';
}

void
gw_buf_printf (gw_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (NULL, 0, fmt, ap);
    va_end (ap);
    if (n <= 0)
        return;
    gw_buf_reserve (b, (size_t) n + 1);
    va_start (ap, fmt);
    vsnprintf (b->data + b->len, b->cap - b->len, fmt, ap);
    va_end (ap);
    b->len += (size_t) n;
}
