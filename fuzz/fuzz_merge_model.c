/*  fuzz_merge_model — the "merge" model blob's decoder (hr_merge_model:
    what the gateway loads from the model store).
    Invariants: a decoded model has 1..HR_MERGE_MAX_SOURCES sources with
    names, finite weights in [0, 1000] and p in [0, 1]; it re-encodes to
    the same bytes; applying it gives rank tables inside [0, 1].            */
#include <math.h>
#include "fuzz_util.h"
#include "hr_merge_model.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet_logs ();
    char err[160];
    hr_merge_model_t *m = hr_merge_model_decode (data, size, err, sizeof err);
    if (!m)
        return 0;
    int n = hr_merge_model_count (m);
    FUZZ_CHECK (n >= 1 && n <= HR_MERGE_MAX_SOURCES);
    const char *names[HR_MERGE_MAX_SOURCES + 1];
    hr_merge_source_t src[HR_MERGE_MAX_SOURCES + 1];
    for (int i = 0; i < n; i++) {
        names[i] = hr_merge_model_name (m, i);
        FUZZ_CHECK (names[i] && names[i][0]);
        double w = hr_merge_model_weight (m, i);
        FUZZ_CHECK (isfinite (w) && w >= 0 && w <= 1000);
        for (int b = 0; b < HR_MERGE_MODEL_BUCKETS; b++) {
            double p = hr_merge_model_p (m, i, b);
            FUZZ_CHECK (isfinite (p) && p >= 0 && p <= 1);
        }
    }
    names[n] = "not_in_the_model";
    for (int i = 0; i <= n; i++)
        src[i] = (hr_merge_source_t) { NULL, 0, 1.0, "clicked", NULL, 0 };
    hr_merge_model_apply (m, names, src, n + 1);
    for (int i = 0; i <= n; i++) {
        FUZZ_CHECK (src[i].rank_value && src[i].nrank_value == HR_MERGE_MODEL_RANKS);
        for (uint32_t r = 0; r < src[i].nrank_value; r++)
            FUZZ_CHECK (src[i].rank_value[r] >= 0 && src[i].rank_value[r] <= 1);
    }
    size_t len = 0;
    void *blob = hr_merge_model_encode (m, &len);
    FUZZ_CHECK (blob && len == size && memcmp (blob, data, size) == 0);
    free (blob);
    hr_merge_model_destroy (&m);
    return 0;
}
