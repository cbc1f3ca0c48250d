/*  hr_arena — strings that live and die together (a catalog's names, an
    import's rows): copied into a few big blocks and freed at once, so
    30,000 products cost a handful of mallocs, not 150,000.                 */
#ifndef HR_ARENA_H
#define HR_ARENA_H
#include <stddef.h>

typedef struct hr_arena hr_arena_t;

/*  block: bytes per block (a longer string gets a block of its own).       */
hr_arena_t *hr_arena_new (size_t block);
void hr_arena_destroy (hr_arena_t **self_p);
/*  Copies n bytes of s and a NUL; NULL when out of memory.                  */
char *hr_arena_strndup (hr_arena_t *self, const char *s, size_t n);

#endif
