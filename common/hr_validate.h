/*  hr_validate — the spec's input rules, in one place.                     */
#ifndef HR_VALIDATE_H
#define HR_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HR_USER_ID_MAX 50
#define HR_QUERY_MAX   255

/*  ^[a-zA-Z0-9]{1,50}$ (case-sensitive: Bob1 and bob1 are two users).     */
bool hr_valid_user_id (const char *s, size_t n);
/*  ^[A-Z0-9]{10}$  */
bool hr_valid_product_id (const char *s, size_t n);
/*  FNV-1a over the 10 bytes of a product id: the id tables' hash.          */
static inline uint32_t hr_product_id_hash (const char *id10)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 10; i++)
        h = (h ^ (uint8_t) id10[i]) * 16777619u;
    return h;
}
bool hr_utf8_valid (const char *s, size_t n);

/*  A recommendation id (X-Recommendation-Id): "<surface>.<request id>",
    surface home | product | search, request id 1..40 of [A-Za-z0-9._-].
    Returns the surface's index in hr_rec_surfaces, -1 when invalid.       */
#define HR_REC_SURFACES 3
extern const char *const hr_rec_surfaces[HR_REC_SURFACES];
int hr_rec_id_surface (const char *s, size_t n);

typedef enum {
    HR_QUERY_OK = 0,
    HR_QUERY_EMPTY = -1,        /* empty after trimming -> 400 */
    HR_QUERY_TOO_LONG = -2,     /* > 255 bytes after trimming -> 400 */
    HR_QUERY_BAD_UTF8 = -3,     /* -> 400 */
} hr_query_rc_t;
/*  Trims ASCII/Unicode whitespace at both ends; *out points into s.        */
int hr_query_normalize (const char *s, size_t n, const char **out, size_t *outlen);

/*  response_limit: absent (s == NULL) -> def; an integer -> clamped to
    [min,max]; anything else -> -1 (422, as FastAPI answers a non-integer). */
int hr_parse_limit (const char *s, size_t n, long def, long min, long max, long *out);
/*  A strict integer in [min,max] (e.g. days 1..365); -1 otherwise.          */
int hr_parse_int_range (const char *s, size_t n, long min, long max, long *out);

#endif
