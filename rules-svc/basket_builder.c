#include "basket_builder.h"
#include "hr_array.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

struct rules_basket_builder {
    rules_basket_mode_t mode;
    int64_t gap_ms;
    rules_fpg_baskets_t *out;
    rules_item_dict_t *dict;
    char user[64];
    size_t user_len;
    bool open;
    int64_t last_ts;
    uint32_t *items;
    size_t n, cap;
};

int rules_basket_mode_parse (const char *s)
{
    if (s && !strcmp (s, "session"))
        return RULES_BASKET_SESSION;
    if (s && !strcmp (s, "user-day"))
        return RULES_BASKET_USER_DAY;
    return -1;
}

rules_basket_builder_t *rules_basket_builder_new (rules_basket_mode_t mode, int64_t gap_ms,
                                      rules_fpg_baskets_t *out, rules_item_dict_t *dict)
{
    rules_basket_builder_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->mode = mode;
    self->gap_ms = gap_ms;
    self->out = out;
    self->dict = dict;
    return self;
}

void rules_basket_builder_destroy (rules_basket_builder_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->items);
    free (*self_p);
    *self_p = NULL;
}

int rules_basket_builder_finish (rules_basket_builder_t *self)
{
    if (!self->open)
        return 0;
    self->open = false;
    int rc = rules_fpg_baskets_add (self->out, self->items, self->n);
    self->n = 0;
    return rc;
}

static int64_t s_day_of (int64_t ts)
{
    return ts >= 0 ? ts / DAY_MS : -((-ts + DAY_MS - 1) / DAY_MS);
}

int rules_basket_builder_add (rules_basket_builder_t *self, const char *user, size_t user_len,
                        const char *product, size_t product_len, int64_t ts_ms)
{
    if (user_len >= sizeof self->user)
        user_len = sizeof self->user - 1;
    bool same_user = self->open && user_len == self->user_len && !memcmp (user, self->user, user_len);
    if (same_user && ts_ms < self->last_ts)
        return -1;
    bool same_basket = same_user
        && (self->mode == RULES_BASKET_SESSION ? ts_ms - self->last_ts <= self->gap_ms
                                         : s_day_of (ts_ms) == s_day_of (self->last_ts));
    if (!same_basket) {
        if (rules_basket_builder_finish (self))
            return -1;
        memcpy (self->user, user, user_len);
        self->user_len = user_len;
        self->open = true;
    }
    self->last_ts = ts_ms;
    uint32_t id = rules_item_dict_intern (self->dict, product, product_len);
    if (id == RULES_ITEM_DICT_NONE)
        return -1;
    if (hr_array_grow (&self->items, sizeof *self->items, self->n, &self->cap, 32) != 0)
        return -1;
    self->items[self->n++] = id;
    return 0;
}
