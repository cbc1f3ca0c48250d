/*  hr_array — room for one more element (see hr_array.h).  */
#include "hr_array.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
hr_array_resize (void *items_p, size_t elem_size, size_t n)
{
    assert (items_p && elem_size && n);
    if (n > SIZE_MAX / elem_size)
        return -1;
    //  The pointer is read and written as bytes: items_p may be the
    //  address of any T *, not of a void *
    void *items;
    memcpy (&items, items_p, sizeof items);
    items = realloc (items, n * elem_size);
    if (!items)
        return -1;
    memcpy (items_p, &items, sizeof items);
    return 0;
}

int
hr_array_grow (void *items_p, size_t elem_size, size_t count, size_t *cap, size_t first)
{
    assert (cap && first);
    if (count < *cap)
        return 0;
    size_t grown = *cap ? *cap * 2 : first;
    if (grown < *cap || hr_array_resize (items_p, elem_size, grown) != 0)
        return -1;
    *cap = grown;
    return 0;
}
