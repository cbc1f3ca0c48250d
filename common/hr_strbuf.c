/*  hr_strbuf — a growing text buffer (see hr_strbuf.h).  */
#include "hr_strbuf.h"
#include "hr_log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define HR_STRBUF_FIRST 4096

int
hr_strbuf_reserve (hr_strbuf_t *self, size_t more)
{
    assert (self);
    if (more >= (size_t) -1 / 4 - self->len)
        return -1;
    if (self->len + more + 1 <= self->cap)
        return 0;
    size_t cap = self->cap ? self->cap : HR_STRBUF_FIRST;
    while (cap < self->len + more + 1)
        cap *= 2;
    char *buf = realloc (self->buf, cap);
    if (!buf)
        return -1;
    self->buf = buf;
    self->cap = cap;
    return 0;
}

int
hr_strbuf_put (hr_strbuf_t *self, const void *s, size_t n)
{
    if (hr_strbuf_reserve (self, n) != 0)
        return -1;
    if (n)
        memcpy (self->buf + self->len, s, n);
    self->len += n;
    self->buf[self->len] = 0;
    return 0;
}

int
hr_strbuf_puts (hr_strbuf_t *self, const char *s)
{
    return hr_strbuf_put (self, s, strlen (s));
}

int
hr_strbuf_put_escaped (hr_strbuf_t *self, const char *s)
{
    size_t n = strlen (s);
    //  Worst case \u00XX per byte, or 3 bytes of U+FFFD per invalid byte
    if (hr_strbuf_reserve (self, n * 6 + 8) != 0)
        return -1;
    int w = hr_json_escape (self->buf + self->len, self->cap - self->len, s, n);
    if (w < 0)
        return -1;
    self->len += (size_t) w;
    self->buf[self->len] = 0;
    return 0;
}

void
hr_strbuf_free (hr_strbuf_t *self)
{
    assert (self);
    free (self->buf);
    self->buf = NULL;
    self->len = self->cap = 0;
}
