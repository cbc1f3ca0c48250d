/*  basket_file — reads a market-basket file: one basket per line, items
    separated by commas, no header, no quoting (the layout of arules'
    groceries.csv and of the online-retail basket export).  Item names are
    kept verbatim (inner and trailing spaces included: "cream cheese " is
    an item of groceries.csv); a CR before the LF is dropped; empty fields
    ("a,,b", a trailing comma) are ignored; a blank line is an empty
    basket.  Duplicate items in a line count once (rules_fpg_baskets_add).       */
#ifndef BASKET_FILE_H
#define BASKET_FILE_H
#include <stdio.h>
#include "fpgrowth.h"
#include "item_dict.h"

/*  Appends every line of `in` to baskets, interning names in dict.
    0, or -1 with a message in err (I/O error, NUL byte, out of memory).  */
int rules_basket_file_read (FILE *in, rules_item_dict_t *dict, rules_fpg_baskets_t *baskets,
                      char *err, size_t errlen);
#endif
