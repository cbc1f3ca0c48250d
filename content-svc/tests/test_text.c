/*  Text analysis: UTF-8 folding, tokens, stop words, stemming, the typo
    index and the synonym file.  No servers needed.                         */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "synonyms.h"
#include "text.h"
#include "typo.h"
#include "vocab.h"

static char *
fold (const char *s)
{
    static char buf[512];
    content_fold (s, strlen (s), buf, sizeof buf);
    return buf;
}

START_TEST (test_fold_latin_and_greek)
{
    ck_assert_str_eq (fold ("Café CRÈME Brûlée"), "cafe creme brulee");
    ck_assert_str_eq (fold ("ŁÓDŹ Straße"), "lodz strasse");
    ck_assert_str_eq (fold ("ΑΒΓ Москва"), "αβγ москва");
    ck_assert_str_eq (fold ("₹32,999 (Black)"), "32 999 black");
    ck_assert_str_eq (fold ("e\xcc\x81t\xc3\xa9"), "ete");     /* combining accent */
    ck_assert_str_eq (fold ("men's"), "mens");
}
END_TEST

START_TEST (test_any_bytes_are_safe)
{
    /*  invalid UTF-8, truncated sequences, surrogates, overlongs, NULs     */
    const char *bad[] = { "\xff\xfe\xfd", "abc\xe2\x82", "\xed\xa0\x80xyz", "\xc0\xaf",
                          "\xf4\x90\x80\x80", "a\x80" "b" };
    content_analyzer_t *an = content_analyzer_new ();
    ck_assert_ptr_nonnull (an);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char out[64];
        content_fold (bad[i], strlen (bad[i]), out, sizeof out);
        const content_token_t *t;
        content_analyze (an, bad[i], strlen (bad[i]), &t);
    }
    unsigned char all[256 * 3];
    for (int i = 0; i < 256 * 3; i++)
        all[i] = (unsigned char) (i * 37 + 11);
    const content_token_t *t;
    uint32_t n = content_analyze (an, (const char *) all, sizeof all, &t);
    for (uint32_t k = 0; k < n; k++)
        ck_assert_uint_le (t[k].surface_len, CONTENT_TOKEN_MAX);
    char tiny[4];
    ck_assert_uint_le (content_fold ("ÀÀÀÀÀÀ", 12, tiny, sizeof tiny), 3);
    content_analyzer_destroy (&an);
    ck_assert_ptr_null (an);
}
END_TEST

START_TEST (test_tokens_stop_words_and_stems)
{
    content_analyzer_t *an = content_analyzer_new ();
    const content_token_t *t;
    const char *q = "The Wireless Earphones with Mic, for Running & 128GB Phones";
    uint32_t n = content_analyze (an, q, strlen (q), &t);
    const char *stems[] = { "wireless", "earphon", "mic", "run", "128gb", "phone" };
    ck_assert_uint_eq (n, 6);
    for (uint32_t k = 0; k < n; k++)
        ck_assert_str_eq (t[k].stem, stems[k]);
    ck_assert_str_eq (t[1].surface, "earphones");
    ck_assert_uint_eq (content_analyze (an, "the and of", 10, &t), 0);
    ck_assert_uint_eq (content_analyze (an, "", 0, &t), 0);
    ck_assert (content_is_stop_word ("with", 4));
    ck_assert (!content_is_stop_word ("shoe", 4));
    /*  the memo gives the same stem the second time  */
    n = content_analyze (an, "earphones earphones", 19, &t);
    ck_assert_uint_eq (n, 2);
    ck_assert_str_eq (t[0].stem, t[1].stem);
    content_analyzer_destroy (&an);
}
END_TEST

START_TEST (test_vocab)
{
    content_vocab_t *v = content_vocab_new (2);
    char w[16];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf (w, sizeof w, "w%d", i);
        ck_assert_int_eq (content_vocab_add (v, w, (size_t) n), i);
    }
    ck_assert_int_eq (content_vocab_add (v, "w42", 3), 42);
    ck_assert_int_eq (content_vocab_find (v, "w4999", 5), 4999);
    ck_assert_int_eq (content_vocab_find (v, "nope", 4), -1);
    ck_assert_str_eq (content_vocab_term (v, 7, NULL), "w7");
    content_vocab_destroy (&v);
}
END_TEST

START_TEST (test_typo)
{
    ck_assert_int_eq (content_osa_distance ("samsng", 6, "samsung", 7, 2), 1);
    ck_assert_int_eq (content_osa_distance ("ab", 2, "ba", 2, 2), 1);
    ck_assert_int_eq (content_osa_distance ("kitten", 6, "sitting", 7, 5), 3);
    content_typo_t *t = content_typo_new ();
    const char *words[] = { "headphones", "refrigerator", "samsung", "samsonite", "phones", "ac" };
    uint32_t freq[] = { 50, 30, 100, 5, 80, 40 };
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq (content_typo_add (t, words[i], strlen (words[i]), freq[i]), 0);
    ck_assert_int_eq (content_typo_freeze (t), 0);
    char out[64];
    int d;
    ck_assert_uint_gt (content_typo_correct (t, "headphnes", 9, out, sizeof out, &d), 0);
    ck_assert_str_eq (out, "headphones");
    ck_assert_int_eq (d, 1);
    ck_assert_uint_gt (content_typo_correct (t, "refrigeratr", 11, out, sizeof out, &d), 0);
    ck_assert_str_eq (out, "refrigerator");
    ck_assert_uint_gt (content_typo_correct (t, "samsng", 6, out, sizeof out, &d), 0);
    ck_assert_str_eq (out, "samsung");
    ck_assert_uint_gt (content_typo_correct (t, "refirgeratorr", 13, out, sizeof out, &d), 0);
    ck_assert_str_eq (out, "refrigerator");                 /* two edits, long word */
    ck_assert_int_eq (d, 2);
    ck_assert_uint_eq (content_typo_correct (t, "ax", 2, out, sizeof out, &d), 0);   /* too short */
    ck_assert_uint_eq (content_typo_correct (t, "xylophone", 9, out, sizeof out, &d), 0);
    content_typo_destroy (&t);
}
END_TEST

START_TEST (test_synonyms)
{
    content_analyzer_t *an = content_analyzer_new ();
    content_synonyms_t *s = content_synonyms_new ();
    const char *text = "# comment\n"
                       "earbuds, earphones  # group\n"
                       "\n"
                       "ac => air conditioner\r\n"
                       "lonely\n"                       /* malformed: one phrase */
                       " => nothing\n";
    int bad = 0;
    ck_assert_int_eq (content_synonyms_parse (s, an, text, strlen (text), &bad), 2);
    ck_assert_int_eq (bad, 2);
    const uint32_t *targets;
    uint32_t nt, len;
    const char *q1[] = { "earbud" };
    uint32_t l1[] = { 6 };
    ck_assert_uint_eq (content_synonyms_match (s, q1, l1, 1, 0, &targets, &nt), 1);
    ck_assert_uint_eq (nt, 1);
    ck_assert_str_eq (content_synonyms_phrase (s, targets[0], &len), "earphon");
    const char *q2[] = { "ac" };
    uint32_t l2[] = { 2 };
    ck_assert_uint_eq (content_synonyms_match (s, q2, l2, 1, 0, &targets, &nt), 1);
    ck_assert_str_eq (content_synonyms_phrase (s, targets[0], &len), "air condition");
    /*  one-way: "air conditioner" does not expand back to "ac"             */
    const char *q3[] = { "air", "condition" };
    uint32_t l3[] = { 3, 9 };
    ck_assert_uint_eq (content_synonyms_match (s, q3, l3, 2, 0, &targets, &nt), 0);
    content_synonyms_destroy (&s);
    content_analyzer_destroy (&an);
}
END_TEST

START_TEST (test_shipped_synonym_file)
{
    const char *src = getenv ("HR_SOURCE_DIR");
    char path[1024];
    snprintf (path, sizeof path, "%s/data/synonyms.txt", src ? src : "..");
    content_analyzer_t *an = content_analyzer_new ();
    content_synonyms_t *s = content_synonyms_new ();
    int rules = content_synonyms_load (s, an, path);
    ck_assert_msg (rules >= 50, "expected the curated file at %s, got %d rules", path, rules);
    const char *q[] = { "fridg" };
    uint32_t l[] = { 5 };
    const uint32_t *targets;
    uint32_t nt, len;
    ck_assert_uint_eq (content_synonyms_match (s, q, l, 1, 0, &targets, &nt), 1);
    ck_assert_str_eq (content_synonyms_phrase (s, targets[0], &len), "refriger");
    /*  Hindi and Indian English words (issue 20): a word and a phrase.    */
    const char *hi[] = { "kainchi" };
    uint32_t hl[] = { 7 };
    ck_assert_uint_eq (content_synonyms_match (s, hi, hl, 1, 0, &targets, &nt), 1);
    ck_assert_str_eq (content_synonyms_phrase (s, targets[0], &len), "scissor");
    const char *pc[] = { "pencil", "cell" };
    uint32_t pl[] = { 6, 4 };
    ck_assert_uint_eq (content_synonyms_match (s, pc, pl, 2, 0, &targets, &nt), 2);
    ck_assert_str_eq (content_synonyms_phrase (s, targets[0], &len), "aa batteri");
    content_synonyms_destroy (&s);
    content_analyzer_destroy (&an);
}
END_TEST

int
main (void)
{
    Suite *s = suite_create ("content_text");
    TCase *tc = tcase_create ("text");
    tcase_add_test (tc, test_fold_latin_and_greek);
    tcase_add_test (tc, test_any_bytes_are_safe);
    tcase_add_test (tc, test_tokens_stop_words_and_stems);
    tcase_add_test (tc, test_vocab);
    tcase_add_test (tc, test_typo);
    tcase_add_test (tc, test_synonyms);
    tcase_add_test (tc, test_shipped_synonym_file);
    suite_add_tcase (s, tc);
    SRunner *sr = srunner_create (s);
    srunner_run_all (sr, CK_NORMAL);
    int failed = srunner_ntests_failed (sr);
    srunner_free (sr);
    return failed ? 1 : 0;
}
