/*  hr_array — room for one more element at the end of a growing array.

      if (hr_array_grow (&self->rows, sizeof *self->rows, self->count, &self->cap, 1024))
          return -1;
      self->rows[self->count++] = row;

    The array is a plain pointer and two counts the caller keeps; the
    capacity doubles, starting at `first`.  hr_array_resize sets the size
    itself (several arrays that share one capacity).                       */
#ifndef HR_ARRAY_H
#define HR_ARRAY_H
#include <stddef.h>

/*  items_p is the address of the array pointer (any element type).  When
    count has reached *cap, reallocs the array to twice *cap (`first` when
    0).  0, or -1 when out of memory (the array and *cap unchanged).       */
int hr_array_grow (void *items_p, size_t elem_size, size_t count, size_t *cap, size_t first);
/*  Reallocs the array at items_p to exactly n elements (n > 0).  0, or -1
    when out of memory (the array unchanged).                              */
int hr_array_resize (void *items_p, size_t elem_size, size_t n);

#endif
