/*  fuzz_validate — the request-parameter rules of common/hr_validate.h and
    the JSON string escaper of hr_log.h, with their invariants checked:
      - user/product id validators agree with their regular expressions;
      - hr_utf8_valid agrees with jansson's UTF-8 check;
      - a normalised query is a trimmed, non-empty, <= 255-byte, valid UTF-8
        sub-slice of the input;
      - parsed limits and ranges stay within their bounds;
      - hr_json_escape output, put inside quotes, parses back with jansson to
        a string (equal to the input when the input was valid UTF-8).     */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "fuzz_util.h"
#include "hr_validate.h"

static bool
is_alnum (unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
ref_user_id (const char *s, size_t n)
{
    if (n < 1 || n > HR_USER_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum ((unsigned char) s[i]))
            return false;
    return true;
}

static bool
ref_product_id (const char *s, size_t n)
{
    if (n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

static void
check_escape (const char *s, size_t n)
{
    /*  Worst case: every byte becomes \u00XX (6) or U+FFFD (3 bytes).  */
    size_t cap = 6 * n + 3;
    char *buf = malloc (cap + 2);
    FUZZ_CHECK (buf);
    int w = hr_json_escape (buf + 1, cap, s, n);
    FUZZ_CHECK (w >= 0 && (size_t) w <= cap);
    buf[0] = '"';
    buf[w + 1] = '"';
    json_error_t err;
    json_t *v = json_loadb (buf, (size_t) w + 2, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) {
        fprintf (stderr, "escape output does not parse: %s\n", err.text);
        abort ();
    }
    FUZZ_CHECK (json_is_string (v));
    if (hr_utf8_valid (s, n)) {
        FUZZ_CHECK (json_string_length (v) == n);
        FUZZ_CHECK (memcmp (json_string_value (v), s, n) == 0);
    }
    json_decref (v);

    /*  A too-small buffer must fail cleanly, never write past cap.  */
    if (w > 0) {
        char *small = malloc ((size_t) w - 1 + 1);
        FUZZ_CHECK (small);
        FUZZ_CHECK (hr_json_escape (small, (size_t) w - 1, s, n) == -1 || w == 1);
        free (small);
    }
    free (buf);
}

static void
check_numbers (const char *s, size_t n)
{
    long out = 12345;
    if (hr_parse_limit (s, n, 10, 1, 6000, &out) == 0)
        FUZZ_CHECK (out >= 1 && out <= 6000);
    out = 12345;
    FUZZ_CHECK (hr_parse_limit (NULL, 0, 10, 1, 6000, &out) == 0 && out == 10);
    if (hr_parse_limit (s, n, 5, -3, 3, &out) == 0)
        FUZZ_CHECK (out >= -3 && out <= 3);
    if (hr_parse_int_range (s, n, 1, 365, &out) == 0)
        FUZZ_CHECK (out >= 1 && out <= 365);
    if (hr_parse_int_range (s, n, 0, 0, &out) == 0)
        FUZZ_CHECK (out == 0);
    /*  A value accepted in a range is what strtol reads from the text.     */
    if (hr_parse_int_range (s, n, -1000000, 1000000, &out) == 0 && memchr (s, '\0', n) == NULL) {
        char *end;
        long ref = strtol (s, &end, 10);
        FUZZ_CHECK (ref == out);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    char *s = fuzz_cstr (data, size);

    FUZZ_CHECK (hr_valid_user_id (s, size) == ref_user_id (s, size));
    FUZZ_CHECK (hr_valid_product_id (s, size) == ref_product_id (s, size));

    json_t *j = json_stringn (s, size);     /* NULL exactly on invalid UTF-8 */
    FUZZ_CHECK (hr_utf8_valid (s, size) == (j != NULL));
    json_decref (j);

    const char *q = NULL;
    size_t qlen = 0;
    int rc = hr_query_normalize (s, size, &q, &qlen);
    FUZZ_CHECK (rc == HR_QUERY_OK || rc == HR_QUERY_EMPTY || rc == HR_QUERY_TOO_LONG
                || rc == HR_QUERY_BAD_UTF8);
    if (rc == HR_QUERY_OK) {
        FUZZ_CHECK (q >= s && q + qlen <= s + size);
        FUZZ_CHECK (qlen >= 1 && qlen <= HR_QUERY_MAX);
        FUZZ_CHECK (hr_utf8_valid (q, qlen));
        FUZZ_CHECK (q[0] != ' ' && q[qlen - 1] != ' ' && q[0] != '\t' && q[qlen - 1] != '\n');
        /*  Normalising is idempotent.  */
        const char *q2;
        size_t q2len;
        FUZZ_CHECK (hr_query_normalize (q, qlen, &q2, &q2len) == HR_QUERY_OK);
        FUZZ_CHECK (q2 == q && q2len == qlen);
    }

    check_numbers (s, size);
    check_escape (s, size);
    free (s);
    return 0;
}
