/*  item_dict — interns item names (strings) as dense uint32 ids, 0, 1, 2 …
    in first-seen order, and maps ids back to names.  FP-Growth works on
    ids; basket files and the interactions table speak names (product ids,
    stock codes, "whole milk").                                             */
#ifndef ITEM_DICT_H
#define ITEM_DICT_H
#include <stddef.h>
#include <stdint.h>

#define RULES_ITEM_DICT_NONE UINT32_MAX

typedef struct rules_item_dict rules_item_dict_t;

rules_item_dict_t *rules_item_dict_new (void);
void rules_item_dict_destroy (rules_item_dict_t **self_p);
/*  The id of name (adding it when new); RULES_ITEM_DICT_NONE when out of memory. */
uint32_t rules_item_dict_intern (rules_item_dict_t *self, const char *name, size_t len);
/*  The id of name or RULES_ITEM_DICT_NONE.  */
uint32_t rules_item_dict_find (const rules_item_dict_t *self, const char *name, size_t len);
/*  NUL-terminated name of id (NULL when out of range); *len may be NULL.   */
const char *rules_item_dict_name (const rules_item_dict_t *self, uint32_t id, size_t *len);
uint32_t rules_item_dict_size (const rules_item_dict_t *self);
#endif
