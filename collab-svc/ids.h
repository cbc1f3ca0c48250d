/*  collab_ids — the item vocabulary: external item ids (1..10 bytes, e.g. a
    product id or a log's numeric item id) <-> dense indices 0..n-1.

    Everything inside collab-svc works on dense indices so the hot path
    indexes plain arrays; this table is the only place strings live.
    Open addressing with linear probing; grows at 50 % load.               */
#ifndef COLLAB_IDS_H
#define COLLAB_IDS_H
#include <stddef.h>
#include <stdint.h>

#define COLLAB_ID_MAX 10

typedef struct collab_ids collab_ids_t;

collab_ids_t *collab_ids_new (uint32_t capacity_hint);
void collab_ids_destroy (collab_ids_t **self_p);

/*  Index of `id`, adding it when new.  -1 when the id is empty, longer
    than COLLAB_ID_MAX, or memory runs out.                                 */
int64_t collab_ids_intern (collab_ids_t *self, const char *id, size_t len);
/*  Index of `id` or -1.  Safe to call concurrently with other finds.       */
int64_t collab_ids_find (const collab_ids_t *self, const char *id, size_t len);
/*  FNV-1a over the id's bytes (= hr_product_id_hash for a 10-byte product
    id): the hash of every id table in collab-svc.                          */
uint32_t collab_id_hash (const char *id, size_t len);
uint32_t collab_ids_count (const collab_ids_t *self);
/*  The id of index `idx` (NUL-terminated).                                  */
const char *collab_ids_at (const collab_ids_t *self, uint32_t idx);

#endif
