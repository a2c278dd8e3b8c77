/* tests/unit/bk_name_match_test.c: name matching: accents, titles, order, fillers, prefixes, typos, ambiguity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/name_match.h"

static const char *const staff[] = {
    "Dr. Sarah O'Neil", "José Ramírez", "Zoë Chen", "Michael Nguyen", "Sarah Lee", "Prof. Wei Zhang", "Ann Smith",
};
static const char *const treatments[] = {
    "Initial Physiotherapy Consultation (60 min)",
    "Follow-up Physio",
    "Remedial Massage 90",
    "Remedial Massage 60",
    "Dry Needling",
};
static const char *const locations[] = {"Sydney CBD", "Vancouver Kitsilano", "Bondi Junction"};

static int setup(void **state)
{
    *state = bk_name_matcher_new();
    return *state == NULL;
}

static int teardown(void **state)
{
    bk_name_matcher_free(*state);
    return 0;
}

static bk_name_result_t match(void **state, const char *q, const char *const *names, size_t n, bk_name_kind_t k)
{
    bk_name_result_t r;
    assert_int_equal(bk_name_match(*state, q, names, n, k, &r), 0);
    return r;
}

#define STAFF(q) match(state, q, staff, sizeof(staff) / sizeof(staff[0]), BK_NAME_STAFF)
#define TREAT(q) match(state, q, treatments, sizeof(treatments) / sizeof(treatments[0]), BK_NAME_TREATMENT)
#define LOC(q)   match(state, q, locations, sizeof(locations) / sizeof(locations[0]), BK_NAME_LOCATION)

static void expect_one(bk_name_result_t r, size_t index, bk_name_rank_t rank)
{
    assert_int_equal(r.status, BK_NAME_MATCHED);
    assert_int_equal(r.index, index);
    assert_int_equal(r.rank, rank);
}

static void test_normalize(void **state)
{
    char out[128];
    bk_name_normalize(*state, "Dr. Sarah O'Neil", 16, BK_NAME_STAFF, out, sizeof(out));
    assert_string_equal(out, "sarah oneil");
    bk_name_normalize(*state, "José Ramírez", strlen("José Ramírez"), BK_NAME_STAFF, out, sizeof(out));
    assert_string_equal(out, "jose ramirez");
    const char *t = "Initial Physiotherapy Consultation (60 min)";
    bk_name_normalize(*state, t, strlen(t), BK_NAME_TREATMENT, out, sizeof(out));
    assert_string_equal(out, "initial physiotherapy consultation 60");
    bk_name_normalize(*state, "Łukasz Straße", strlen("Łukasz Straße"), BK_NAME_STAFF, out, sizeof(out));
    assert_string_equal(out, "lukasz strasse");
    bk_name_normalize(*state, "王伟", strlen("王伟"), BK_NAME_STAFF, out, sizeof(out));
    assert_string_equal(out, "wang wei");
    bk_name_normalize(*state, "the appointment", 15, BK_NAME_TREATMENT, out, sizeof(out));
    assert_string_equal(out, "the appointment"); /* only fillers: kept */
    bk_name_normalize(*state, "Sarah", 5, BK_NAME_STAFF, out, 4);
    assert_string_equal(out, ""); /* the word does not fit: cut at a word */
}

static void test_case_accents_titles_order(void **state)
{
    expect_one(STAFF("Dr. Sarah O'Neil"), 0, BK_RANK_EXACT);
    expect_one(STAFF("sarah oneil"), 0, BK_RANK_EXACT);
    expect_one(STAFF("doctor SARAH o'neil"), 0, BK_RANK_EXACT);
    expect_one(STAFF("O'Neil, Sarah"), 0, BK_RANK_SAME_WORDS);
    expect_one(STAFF("jose ramirez"), 1, BK_RANK_EXACT);
    expect_one(STAFF("Ramirez Jose"), 1, BK_RANK_SAME_WORDS);
    expect_one(STAFF("zoe"), 2, BK_RANK_SUBSET);
    expect_one(STAFF("Zoë Chen"), 2, BK_RANK_EXACT);
    expect_one(STAFF("Mr. Michael Nguyen please"), 3, BK_RANK_EXACT);
    expect_one(STAFF("professor zhang"), 5, BK_RANK_SUBSET);
}

static void test_first_name_and_prefix(void **state)
{
    expect_one(STAFF("michael"), 3, BK_RANK_SUBSET);
    expect_one(STAFF("nguyen"), 3, BK_RANK_SUBSET);
    expect_one(STAFF("mich"), 3, BK_RANK_PREFIX);
    expect_one(STAFF("jos ram"), 1, BK_RANK_PREFIX);
    expect_one(TREAT("initial consult"), 0, BK_RANK_PREFIX);
    expect_one(TREAT("dry"), 4, BK_RANK_SUBSET);
    expect_one(TREAT("followup"), 1, BK_RANK_PREFIX);
    expect_one(TREAT("followup physio"), 1, BK_RANK_SAME_WORDS);
    expect_one(TREAT("follow up physio appointment"), 1, BK_RANK_EXACT);
    expect_one(LOC("the kitsilano clinic"), 1, BK_RANK_SUBSET);
    expect_one(LOC("sydney"), 0, BK_RANK_SUBSET);
    expect_one(LOC("bon"), 2, BK_RANK_PREFIX);
    /* An exact word beats a prefix: "physio" is Follow-up Physio's word, only a prefix of the other. */
    expect_one(TREAT("physio"), 1, BK_RANK_SUBSET);
}

static void test_typos(void **state)
{
    expect_one(STAFF("micheal nguyen"), 3, BK_RANK_TYPO); /* transposition */
    expect_one(STAFF("sarah o'neill"), 0, BK_RANK_TYPO);
    expect_one(STAFF("zoey chen"), 2, BK_RANK_TYPO);
    expect_one(TREAT("physiotheraphy consultaton"), 0, BK_RANK_TYPO); /* 8+ letters: two edits allowed */
    expect_one(LOC("vancuver kitsilano"), 1, BK_RANK_TYPO);
    expect_one(TREAT("remedial masage 90"), 2, BK_RANK_TYPO);
    assert_int_equal(STAFF("mikhail nguyen").status, BK_NAME_NONE); /* two edits in a 7-letter word */
    assert_int_equal(STAFF("bob").status, BK_NAME_NONE);
    assert_int_equal(STAFF("").status, BK_NAME_NONE);
    assert_int_equal(STAFF("...").status, BK_NAME_NONE);
    /* numbers never fuzzy-match */
    assert_int_equal(TREAT("remedial massage 45").status, BK_NAME_NONE);
}

static void test_ambiguity(void **state)
{
    bk_name_result_t r = STAFF("sarah");
    assert_int_equal(r.status, BK_NAME_AMBIGUOUS);
    assert_int_equal(r.rank, BK_RANK_SUBSET);
    assert_int_equal(r.n_tied, 2);
    assert_int_equal(r.n_candidates, 2);
    assert_int_equal(r.candidates[0], 0);
    assert_int_equal(r.candidates[1], 4);
    r = TREAT("remedial massage");
    assert_int_equal(r.status, BK_NAME_AMBIGUOUS);
    assert_int_equal(r.candidates[0], 2);
    assert_int_equal(r.candidates[1], 3);
    expect_one(TREAT("massage ninety"), 2, BK_RANK_SUBSET);
    expect_one(TREAT("massage 60 minutes"), 3, BK_RANK_SUBSET);
    expect_one(STAFF("sarah lee"), 4, BK_RANK_EXACT);
    /* a unique better rank wins over several worse ones */
    static const char *const names[] = {"Ann", "Anne Brown", "Anna White"};
    expect_one(match(state, "ann", names, 3, BK_NAME_STAFF), 0, BK_RANK_EXACT);
    r = match(state, "an", names, 3, BK_NAME_STAFF); /* "an" is a filler: kept as the only word */
    assert_int_equal(r.status, BK_NAME_AMBIGUOUS);
    assert_int_equal(r.n_tied, 3);
    static const char *const twins[] = {"Sam Hill", "Dr Sam Hill"};
    assert_int_equal(match(state, "sam hill", twins, 2, BK_NAME_STAFF).status, BK_NAME_AMBIGUOUS);
}

static void test_bad_arguments(void **state)
{
    bk_name_result_t r;
    assert_int_equal(bk_name_match(*state, NULL, staff, 1, BK_NAME_STAFF, &r), -1);
    assert_int_equal(bk_name_match(NULL, "x", staff, 1, BK_NAME_STAFF, &r), -1);
    assert_int_equal(bk_name_match(*state, "x", staff, 1, BK_NAME_STAFF, NULL), -1);
    assert_int_equal(bk_name_match(*state, "x", NULL, 0, BK_NAME_STAFF, &r), 0);
    assert_int_equal(r.status, BK_NAME_NONE);
    /* invalid UTF-8 and very long input are safe */
    char long_name[1000];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(bk_name_match(*state, long_name, staff, 7, BK_NAME_STAFF, &r), 0);
    assert_int_equal(bk_name_match(*state, "\xff\xfe sarah \xc3", staff, 7, BK_NAME_STAFF, &r), 0);
    assert_int_equal(r.status, BK_NAME_AMBIGUOUS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_normalize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_accents_titles_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_name_and_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ambiguity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
