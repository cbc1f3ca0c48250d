/*  vocab — a string -> dense id map (open addressing, strings in one arena).

    Terms, surface words and synonym keys are all looked up millions of times
    during a build, so the map keeps one hash per id and compares bytes only
    on a hash match.  Not thread-safe for writers; concurrent finds on a map
    nobody writes are fine.                                                  */
#ifndef CONTENT_VOCAB_H
#define CONTENT_VOCAB_H
#include <stddef.h>
#include <stdint.h>

typedef struct content_vocab content_vocab_t;

content_vocab_t *content_vocab_new (uint32_t expected);
void content_vocab_destroy (content_vocab_t **self_p);
/*  The id of s (added when new); -1 when out of memory.  */
int64_t content_vocab_add (content_vocab_t *self, const char *s, size_t n);
/*  The id of s or -1.  */
int64_t content_vocab_find (const content_vocab_t *self, const char *s, size_t n);
/*  The NUL-terminated term of an id.  */
const char *content_vocab_term (const content_vocab_t *self, uint32_t id, uint32_t *len);
uint32_t content_vocab_size (const content_vocab_t *self);
uint64_t content_hash (const char *s, size_t n);

#endif
