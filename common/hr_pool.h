/*  hr_pool — idle objects kept for reuse by concurrent requests (scratch
    that is costly to build: a scorer, a search session).  take() hands out
    an idle one or makes a new one; give() puts it back; destroy frees the
    idle ones (every object must have been given back by then).           */
#ifndef HR_POOL_H
#define HR_POOL_H

typedef void *(hr_pool_make_fn) (void *arg);    /* NULL = out of memory */
typedef void (hr_pool_free_fn) (void *item);
typedef struct hr_pool hr_pool_t;

/*  NULL on out of memory.  make(arg) builds an object, free_fn frees one. */
hr_pool_t *hr_pool_new (hr_pool_make_fn *make, hr_pool_free_fn *free_fn, void *arg);
void hr_pool_destroy (hr_pool_t **self_p);
/*  An idle object, or a new one; NULL on out of memory.  Thread-safe.     */
void *hr_pool_take (hr_pool_t *self);
/*  Back to the pool (NULL: nothing; freed when the pool cannot grow).     */
void hr_pool_give (hr_pool_t *self, void *item);

#endif
