/*  hr_idmap — product ids (ten characters) to dense indexes.

    An id gets the next index (0, 1, 2 …) the first time it is added, so a
    caller keeps its rows in one array and uses the index into it.  Open
    addressing, load factor under one half; the map keeps its own copy of
    the ids.  Used by the catalog (hr_catalog) and the importer (hr_import). */
#ifndef HR_IDMAP_H
#define HR_IDMAP_H
#include <stdbool.h>
#include <stdint.h>

typedef struct hr_idmap hr_idmap_t;

//  An empty map with room for about `expected` ids before it grows.  NULL on OOM.
hr_idmap_t *hr_idmap_new (uint32_t expected);
void hr_idmap_destroy (hr_idmap_t **self_p);

//  The index of id10 (ten bytes, not necessarily NUL-terminated), or -1.
int64_t hr_idmap_find (const hr_idmap_t *self, const char *id10);

//  hr_idmap_find for each of ids[0..n) into out[0..n), the lookups' memory
//  reads overlapped (each one a likely cache miss on a large map: a search
//  page resolves 2,000 ids).
void hr_idmap_find_many (const hr_idmap_t *self, const char *const *ids, uint32_t n,
                         int64_t *out);

//  The index of id10, adding it as the next index when it is new (*added
//  says which; added may be NULL).  -1 when out of memory.
int64_t hr_idmap_add (hr_idmap_t *self, const char *id10, bool *added);

//  How many ids the map holds (the next index).
uint32_t hr_idmap_size (const hr_idmap_t *self);

#endif
