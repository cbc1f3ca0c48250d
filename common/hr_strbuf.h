/*  hr_strbuf — a growing text buffer, always NUL-terminated.

    A value the caller holds: start it zeroed (`hr_strbuf_t sb = { 0 };`),
    put text into it, take `buf` (the caller then frees it) or call
    hr_strbuf_free.  Every put returns 0, or -1 when out of memory (the
    text put so far stays).                                                */
#ifndef HR_STRBUF_H
#define HR_STRBUF_H
#include <stddef.h>

typedef struct {
    char *buf;                  /* NULL until the first put */
    size_t len, cap;
} hr_strbuf_t;

//  Room for `more` bytes and the NUL after them.
int hr_strbuf_reserve (hr_strbuf_t *self, size_t more);
//  n bytes (which may include NULs).
int hr_strbuf_put (hr_strbuf_t *self, const void *s, size_t n);
int hr_strbuf_puts (hr_strbuf_t *self, const char *s);
//  s escaped as the inside of a JSON string (no quotes; invalid UTF-8
//  becomes U+FFFD, as hr_json_escape does).
int hr_strbuf_put_escaped (hr_strbuf_t *self, const char *s);
//  Frees the buffer (not the value) and zeroes it.
void hr_strbuf_free (hr_strbuf_t *self);

#endif
