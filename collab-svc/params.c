/*  collab_params — see params.h.  */
#include "params.h"
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { P_U32, P_F32, P_F64, P_BOOL } ptype_t;

typedef struct {
    const char *name;
    ptype_t type;
    bool train;                 /* in collab_train_params_t, else in score */
    size_t offset;
    double min, max;
    const char *help;
} param_t;

#define TP(f) true, offsetof (collab_train_params_t, f)
#define SP(f) false, offsetof (collab_score_params_t, f)

static const param_t s_params[] = {
    {"window", P_U32, TP (window), 1, 1000, "train: max distance between co-counted clicks"},
    {"fwd", P_F32, TP (fwd), 0, 100, "train: weight of a -> a later click"},
    {"bwd", P_F32, TP (bwd), 0, 100, "train: weight of b -> an earlier click"},
    {"dist_pow", P_F32, TP (dist_pow), 0, 10, "train: weight / distance^dist_pow"},
    {"pop_damp", P_F32, TP (pop_damp), 0, 2, "train: divide by popularity^pop_damp"},
    {"halflife_days", P_F32, TP (halflife_days), 0, 10000, "train: session age half-life, days (0 off)"},
    {"neighbours", P_U32, TP (neighbours), 1, 10000, "train: neighbours kept per item"},
    {"max_sessions", P_U32, TP (max_sessions), 1, 100000000, "train: sessions kept for session-kNN"},
    {"sample", P_U32, TP (sample), 1, 1000000, "train: recent sessions per item for session-kNN"},
    {"threads", P_U32, TP (threads), 1, 16, "train: threads"},
    {"hist_max", P_U32, SP (hist_max), 1, 1000, "serve: distinct history items used"},
    {"hist_pow", P_F32, SP (hist_pow), 0, 10, "serve: history weight (k+1)^-hist_pow"},
    {"sknn_weight", P_F32, SP (sknn_weight), 0, 1, "serve: share of session-kNN"},
    {"sknn_k", P_U32, SP (sknn_k), 0, 100000, "serve: neighbour sessions"},
    {"sknn_pow", P_F32, SP (sknn_pow), 0, 10, "serve: session similarity weight (k+1)^-sknn_pow"},
    {"sknn_spread", P_F32, SP (sknn_spread), 0, 1000, "serve: position spread in neighbours (0 off)"},
    {"sknn_norm_pow", P_F32, SP (sknn_norm_pow), 0, 2, "serve: divide similarity by |n|^p"},
    {"sknn_before", P_F32, SP (sknn_before), 0, 10, "serve: factor for neighbour items before the shared one"},
    {"sknn_halflife_h", P_F64, SP (sknn_halflife_h), 0, 1e6, "serve: session recency half-life, hours (0 off)"},
    {"reclick", P_F32, SP (reclick), 0, 100, "serve: weight of items already in the history"},
    {"reclick_decay", P_F32, SP (reclick_decay), 0, 1, "serve: re-click weight decay per click back"},
    {"fill_popular", P_BOOL, SP (fill_popular), 0, 1, "serve: pad short lists with popular items"},
    {NULL, P_U32, false, 0, 0, 0, NULL},
};

static const param_t *
s_find (const char *name, size_t len)
{
    for (const param_t *p = s_params; p->name; p++)
        if (strlen (p->name) == len && memcmp (p->name, name, len) == 0)
            return p;
    return NULL;
}

int
collab_params_apply (const char *spec, collab_train_params_t *tp,
                     collab_score_params_t *sp, char *err, size_t errlen)
{
    const char *at = spec;
    while (*at) {
        size_t len = strcspn (at, ",");
        const char *eq = memchr (at, '=', len);
        if (len == 0) {
            at++;
            continue;
        }
        if (!eq) {
            snprintf (err, errlen, "'%.*s': expected name=value", (int) len, at);
            return -1;
        }
        const param_t *p = s_find (at, (size_t) (eq - at));
        if (!p) {
            snprintf (err, errlen, "unknown parameter '%.*s'", (int) (eq - at), at);
            return -1;
        }
        char value[64];
        size_t vlen = len - (size_t) (eq - at) - 1;
        if (vlen == 0 || vlen >= sizeof value) {
            snprintf (err, errlen, "%s: missing or over-long value", p->name);
            return -1;
        }
        memcpy (value, eq + 1, vlen);
        value[vlen] = '\0';
        char *end;
        double v = strtod (value, &end);
        if (p->type == P_BOOL && (strcmp (value, "true") == 0 || strcmp (value, "false") == 0)) {
            v = value[0] == 't';
            end = value + vlen;
        }
        if (*end || !isfinite (v) || v < p->min || v > p->max
            || (p->type == P_U32 && v != floor (v))) {
            snprintf (err, errlen, "%s: '%s' is not a number in [%g, %g]", p->name, value,
                      p->min, p->max);
            return -1;
        }
        char *base = p->train ? (char *) tp : (char *) sp;
        switch (p->type) {
        case P_U32: *(uint32_t *) (base + p->offset) = (uint32_t) v; break;
        case P_F32: *(float *) (base + p->offset) = (float) v; break;
        case P_F64: *(double *) (base + p->offset) = v; break;
        case P_BOOL: *(bool *) (base + p->offset) = v != 0; break;
        }
        at += len;
        if (*at == ',')
            at++;
    }
    return 0;
}

void
collab_params_format (const collab_train_params_t *tp, const collab_score_params_t *sp,
                      char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const param_t *p = s_params; p->name && used < cap; p++) {
        const char *base = p->train ? (const char *) tp : (const char *) sp;
        int n = 0;
        const char *sep = used ? "," : "";
        switch (p->type) {
        case P_U32: n = snprintf (buf + used, cap - used, "%s%s=%u", sep, p->name, *(const uint32_t *) (base + p->offset)); break;
        case P_F32: n = snprintf (buf + used, cap - used, "%s%s=%g", sep, p->name, *(const float *) (base + p->offset)); break;
        case P_F64: n = snprintf (buf + used, cap - used, "%s%s=%g", sep, p->name, *(const double *) (base + p->offset)); break;
        case P_BOOL: n = snprintf (buf + used, cap - used, "%s%s=%d", sep, p->name, *(const bool *) (base + p->offset)); break;
        }
        if (n < 0)
            break;
        used += (size_t) n;
    }
}

void
collab_params_help (FILE *out)
{
    collab_train_params_t tp;
    collab_score_params_t sp;
    collab_train_params_default (&tp);
    collab_score_params_default (&sp);
    for (const param_t *p = s_params; p->name; p++) {
        const char *base = p->train ? (const char *) &tp : (const char *) &sp;
        double v = 0;
        switch (p->type) {
        case P_U32: v = *(const uint32_t *) (base + p->offset); break;
        case P_F32: v = *(const float *) (base + p->offset); break;
        case P_F64: v = *(const double *) (base + p->offset); break;
        case P_BOOL: v = *(const bool *) (base + p->offset); break;
        }
        fprintf (out, "  %-16s %-10g %s\n", p->name, v, p->help);
    }
}
