/*  trending_memo — see memo.h.  */
#include "memo.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "hr_proto.h"

typedef struct {
    uint32_t key;
    unsigned char *data;        /* malloc'd; NULL: free entry */
    size_t len;
    uint64_t fingerprint;
} entry_t;

struct trending_memo {
    pthread_mutex_t lock;
    entry_t e[TRENDING_MEMO_KEYS];
    unsigned next;              /* the entry replaced when all are used */
};

trending_memo_t *
trending_memo_new (void)
{
    trending_memo_t *self = calloc (1, sizeof *self);
    if (self)
        pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
trending_memo_destroy (trending_memo_t **self_p)
{
    trending_memo_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < TRENDING_MEMO_KEYS; i++)
        free (self->e[i].data);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

bool
trending_memo_get (trending_memo_t *self, uint32_t key, hr_writer_t *w, uint64_t *fingerprint)
{
    if (!self)
        return false;
    bool found = false;
    pthread_mutex_lock (&self->lock);
    for (int i = 0; i < TRENDING_MEMO_KEYS && !found; i++)
        if (self->e[i].data && self->e[i].key == key) {
            if (w)
                hr_put_bytes (w, self->e[i].data, self->e[i].len);
            if (fingerprint)
                *fingerprint = self->e[i].fingerprint;
            found = true;
        }
    pthread_mutex_unlock (&self->lock);
    return found;
}

bool
trending_memo_fingerprint (trending_memo_t *self, uint32_t key, uint64_t *fingerprint)
{
    return trending_memo_get (self, key, NULL, fingerprint);
}

uint64_t
trending_memo_put (trending_memo_t *self, uint32_t key, const void *data, size_t len)
{
    uint64_t fingerprint = hr_proto_home_fingerprint (data, len);
    if (!self)
        return fingerprint;
    unsigned char *copy = malloc (len ? len : 1);
    if (!copy)
        return fingerprint;
    memcpy (copy, data, len);
    pthread_mutex_lock (&self->lock);
    int at = -1;
    for (int i = 0; i < TRENDING_MEMO_KEYS; i++) {
        if (self->e[i].data && self->e[i].key == key) {     /* another thread was first */
            pthread_mutex_unlock (&self->lock);
            free (copy);
            return fingerprint;
        }
        if (!self->e[i].data && at < 0)
            at = i;
    }
    if (at < 0) {
        at = (int) (self->next++ % TRENDING_MEMO_KEYS);
        free (self->e[at].data);
    }
    self->e[at] = (entry_t) { key, copy, len, fingerprint };
    pthread_mutex_unlock (&self->lock);
    return fingerprint;
}
