/* tests/unit/bk_best_slot_test.c: bestSlot: one example per scoring rule, hard rules, alternatives, reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/best_slot.h"

#define MIN  TZ_MS_PER_MINUTE
#define HOUR TZ_MS_PER_HOUR
#define DAY  TZ_MS_PER_DAY

/* Time in these tests is a plain UTC day number + minutes; the zone is UTC, so local = UTC. */
#define D0 20600 /* a day number */

static bk_slot_t mk(int day, int minute, uint32_t staff)
{
    bk_slot_t s;
    memset(&s, 0, sizeof(s));
    s.start = (int64_t)(D0 + day) * DAY + (int64_t)minute * MIN;
    s.end = s.start + 45 * MIN;
    s.local_day = D0 + day;
    s.local_minute = (int16_t)minute;
    s.staff = staff;
    s.location = 0;
    s.treatment = 0;
    return s;
}

static tz_instant_t at(int day, int minute)
{
    return (int64_t)(D0 + day) * DAY + (int64_t)minute * MIN;
}

static bk_policy_t policy_at(tz_instant_t now, int notice_min)
{
    bk_policy_t p = {.now = now,
                     .earliest = now + notice_min * MIN,
                     .horizon_end = INT64_MAX,
                     .min_notice_min = notice_min,
                     .max_days_ahead = 0};
    return p;
}

static bk_best_query_t query(const bk_policy_t *p)
{
    bk_best_query_t q = {.policy = p,
                         .requested = 0,
                         .staff = BK_ANY,
                         .location = BK_ANY,
                         .treatment = BK_ANY,
                         .last_seen_staff = BK_ANY,
                         .part = BK_PART_ANY,
                         .shortest_treatment_min = 0,
                         .max_alternatives = 2};
    return q;
}

static bk_best_result_t run(const bk_slot_t *s, size_t n, const bk_best_query_t *q)
{
    bk_best_result_t r;
    assert_int_equal(bk_best_slot(s, n, q, &r), BK_OK);
    return r;
}

/* Rule 1: closeness to the requested time, in either direction; ties go to the earlier start. */
static void test_closeness(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 0), mk(0, 810, 1), mk(0, 900, 0), mk(1, 840, 0)};
    bk_policy_t p = policy_at(at(0, 480), 0);
    bk_best_query_t q = query(&p);
    q.requested = at(0, 840); /* 14:00 */
    bk_best_result_t r = run(s, 4, &q);
    assert_int_equal(r.outcome, BK_BEST_FOUND);
    assert_int_equal(r.best.index, 1); /* 13:30 (30 min) beats 15:00 (60 min) */
    assert_int_equal(r.best.distance_ms, 30 * MIN);
    bk_slot_t t[] = {mk(0, 810, 0), mk(0, 870, 1)};
    r = run(t, 2, &q);
    assert_int_equal(r.best.index, 0); /* 13:30 and 14:30 are equally close: earlier wins */
    /* Default requested time (0 = now): the soonest slot. */
    q.requested = 0;
    r = run(s, 4, &q);
    assert_int_equal(r.best.index, 0);
}

/* Never earlier than minimum notice: the target moves to now + notice and earlier slots are out. */
static void test_minimum_notice(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 0), mk(0, 650, 0), mk(0, 900, 0)};
    bk_policy_t p = policy_at(at(0, 540), 120); /* now 09:00, 2 h notice: earliest 11:00 */
    bk_best_query_t q = query(&p);
    q.requested = at(0, 600); /* asks for 10:00 */
    bk_best_result_t r = run(s, 3, &q);
    assert_int_equal(r.best.index, 2);
    assert_int_equal(r.best.distance_ms, 240 * MIN); /* from 11:00 */
    /* Only slots inside the notice period: the reason says how much notice is needed. */
    r = run(s, 2, &q);
    assert_int_equal(r.outcome, BK_NONE_NEEDS_NOTICE);
    assert_int_equal(r.notice_hours, 2);
    p = policy_at(at(0, 540), 90);
    r = run(s, 1, &q);
    assert_int_equal(r.outcome, BK_NONE_NEEDS_NOTICE);
    assert_int_equal(r.notice_hours, 2);
}

/* Rule 2: part of day. A slot outside the asked part costs 2 days. */
static void test_part_of_day(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 660, 0), mk(0, 1000, 0), mk(0, 1080, 0)};
    bk_policy_t p = policy_at(at(0, 480), 0);
    bk_best_query_t q = query(&p);
    q.part = BK_PART_AFTERNOON;
    bk_best_result_t r = run(s, 3, &q);
    assert_int_equal(r.best.index, 1); /* 16:40 afternoon beats 11:00 morning though farther */
    assert_true(r.best.part_ok);
    q.part = BK_PART_EVENING;
    assert_int_equal(run(s, 3, &q).best.index, 2);
    q.part = BK_PART_MORNING;
    assert_int_equal(run(s, 3, &q).best.index, 0);
    /* An afternoon three days away loses to this morning: part of day is soft. */
    bk_slot_t t[] = {mk(0, 660, 0), mk(3, 800, 0)};
    q.part = BK_PART_AFTERNOON;
    r = run(t, 2, &q);
    assert_int_equal(r.best.index, 0);
    assert_false(r.best.part_ok);
    bk_slot_t u[] = {mk(0, 660, 0), mk(1, 800, 0)}; /* but tomorrow afternoon wins */
    assert_int_equal(run(u, 2, &q).best.index, 1);
    assert_int_equal(bk_part_of_minute(719), BK_PART_MORNING);
    assert_int_equal(bk_part_of_minute(720), BK_PART_AFTERNOON);
    assert_int_equal(bk_part_of_minute(1019), BK_PART_AFTERNOON);
    assert_int_equal(bk_part_of_minute(1020), BK_PART_EVENING);
}

/* Rule 3: the practitioner seen last is worth 4 hours. */
static void test_last_seen(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 1), mk(0, 780, 2), mk(0, 900, 3)};
    bk_policy_t p = policy_at(at(0, 540), 0);
    bk_best_query_t q = query(&p);
    q.last_seen_staff = 2;
    bk_best_result_t r = run(s, 3, &q);
    assert_int_equal(r.best.index, 1); /* 3 h later with the same physio */
    assert_true(r.best.last_seen);
    q.last_seen_staff = 3; /* 5 h later: not worth it */
    assert_int_equal(run(s, 3, &q).best.index, 0);
}

/* Rule 4: between near-equals, fewer unusable gaps (shorter than the shortest treatment, 30 min here). */
static void test_gaps(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 0), mk(0, 600, 1)};
    s[0].idle_before_min = 20; /* leaves 20 idle minutes: unusable */
    s[1].idle_before_min = 0;
    s[1].idle_after_min = 120; /* 2 h after: usable */
    bk_policy_t p = policy_at(at(0, 540), 0);
    bk_best_query_t q = query(&p);
    q.shortest_treatment_min = 30;
    bk_best_result_t r = run(s, 2, &q);
    assert_int_equal(r.best.index, 1);
    assert_int_equal(r.best.gaps, 0);
    /* 15 minutes later but tidy beats 20-minute-gap slot (cost 15 < 20); 30 minutes later does not. */
    bk_slot_t t[] = {mk(0, 600, 0), mk(0, 615, 1)};
    t[0].idle_after_min = 20;
    assert_int_equal(run(t, 2, &q).best.index, 1);
    t[1] = mk(0, 630, 1);
    assert_int_equal(run(t, 2, &q).best.index, 0);
    /* The gap rule off (shortest 0): earlier wins. */
    q.shortest_treatment_min = 0;
    t[1] = mk(0, 615, 1);
    assert_int_equal(run(t, 2, &q).best.index, 0);
}

/* Rule 5: then load spread: the less booked practitioner at the same time. */
static void test_load_spread(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 0), mk(0, 600, 1), mk(0, 605, 2)};
    uint16_t load[] = {800, 200, 0};
    bk_policy_t p = policy_at(at(0, 540), 0);
    bk_best_query_t q = query(&p);
    q.staff_load_permille = load;
    q.n_staff_load = 3;
    bk_best_result_t r = run(s, 3, &q);
    assert_int_equal(r.best.index, 1); /* 2 min of load cost beats 8, and 5 min later loses */
    q.staff_load_permille = NULL;
    q.n_staff_load = 0;
    assert_int_equal(run(s, 3, &q).best.index, 0); /* without load: lower staff index */
}

/* Hard rules: named practitioner, location, treatment; the reasons when they leave nothing. */
static void test_hard_rules_and_reasons(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 0), mk(0, 660, 1), mk(1, 600, 1), mk(2, 600, 2)};
    s[3].location = 5;
    s[1].treatment = 9;
    bk_policy_t p = policy_at(at(0, 540), 0);
    bk_best_query_t q = query(&p);
    q.staff = 1;
    assert_int_equal(run(s, 4, &q).best.index, 1);
    q.treatment = 0;
    assert_int_equal(run(s, 4, &q).best.index, 2);
    q.staff = 3; /* nobody by that index has anything: another practitioner does */
    bk_best_result_t r = run(s, 4, &q);
    assert_int_equal(r.outcome, BK_NONE_NAMED_STAFF_FULL);
    assert_int_equal(r.other, 0);
    assert_int_equal(r.other_staff, 0);
    q.staff = BK_ANY;
    q.location = 7;
    r = run(s, 4, &q);
    assert_int_equal(r.outcome, BK_NONE_NAMED_LOCATION_FULL);
    assert_int_equal(r.other, 0);
    q.location = 5;
    assert_int_equal(run(s, 4, &q).best.index, 3);
    /* Nothing at all, and nothing in the horizon but something after it. */
    q = query(&p);
    r = run(s, 0, &q);
    assert_int_equal(r.outcome, BK_NONE_NO_OPENINGS);
    assert_int_equal(r.other, BK_NO_SLOT);
    p.horizon_end = at(1, 0);
    r = run(s + 2, 2, &q);
    assert_int_equal(r.outcome, BK_NONE_NO_OPENINGS);
    assert_int_equal(r.other, 0);
    assert_int_equal(r.other_staff, 1);
}

/* Alternatives are genuinely different: another day, another practitioner, or an hour apart. */
static void test_alternatives(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 0), mk(0, 600, 1), mk(0, 615, 0), mk(0, 630, 0), mk(0, 660, 0), mk(1, 600, 0)};
    bk_policy_t p = policy_at(at(0, 540), 0);
    bk_best_query_t q = query(&p);
    q.max_alternatives = 3;
    bk_best_result_t r = run(s, 6, &q);
    assert_int_equal(r.best.index, 0);
    assert_int_equal(r.n_alt, 3);
    assert_int_equal(r.alt[0].index, 1); /* same time, other practitioner */
    assert_int_equal(r.alt[1].index, 4); /* 11:00, an hour after the best: 10:15 and 10:30 are skipped */
    assert_int_equal(r.alt[2].index, 5); /* another day */
    /* Past the TOP kept during the scan: 40 near-identical slots, then one on another day. */
    bk_slot_t many[41];
    for (int i = 0; i < 40; i++) many[i] = mk(0, 600 + i, 0);
    many[40] = mk(3, 600, 0);
    q.max_alternatives = 2;
    r = run(many, 41, &q);
    assert_int_equal(r.best.index, 0);
    assert_int_equal(r.n_alt, 1);
    assert_int_equal(r.alt[0].index, 40);
    q.max_alternatives = 0;
    r = run(many, 41, &q);
    assert_int_equal(r.n_alt, 0);
}

/* Deterministic: identical slots resolve by index; the same input always gives the same answer. */
static void test_deterministic_ties(void **state)
{
    (void)state;
    bk_slot_t s[] = {mk(0, 600, 4), mk(0, 600, 4), mk(0, 600, 2)};
    s[1].location = 1;
    bk_policy_t p = policy_at(at(0, 540), 0);
    bk_best_query_t q = query(&p);
    bk_best_result_t a = run(s, 3, &q), b = run(s, 3, &q);
    assert_int_equal(a.best.index, 2); /* staff 2 before staff 4 */
    assert_int_equal(a.best.index, b.best.index);
    assert_int_equal(a.best.cost, b.best.cost);
    assert_int_equal(a.n_alt, b.n_alt);
    for (size_t i = 0; i < a.n_alt; i++) assert_int_equal(a.alt[i].index, b.alt[i].index);
    q.staff = 4;
    assert_int_equal(run(s, 3, &q).best.index, 0); /* location 0 before 1 */
}

/* The worked example of core/README.md. */
static void test_readme_example(void **state)
{
    (void)state;
    /* Tue 14:00 asked, afternoon, saw Lee (1) last; shortest treatment 30 min. */
    bk_slot_t s[] = {
        mk(0, 780, 0), /* A: Chen 13:00 */
        mk(0, 855, 2), /* B: Patel 14:15, leaves 15 idle min before */
        mk(0, 870, 0), /* C: Chen 14:30 */
        mk(0, 960, 1), /* D: Lee 16:00 */
        mk(0, 690, 1), /* E: Lee 11:30 (morning) */
        mk(1, 840, 1), /* F: Lee Wed 14:00 */
    };
    s[1].idle_before_min = 15;
    bk_slot_t sorted[6] = {s[4], s[0], s[1], s[2], s[3], s[5]};
    bk_policy_t p = policy_at(at(0, 540), 120);
    bk_best_query_t q = query(&p);
    q.requested = at(0, 840);
    q.part = BK_PART_AFTERNOON;
    q.last_seen_staff = 1;
    q.shortest_treatment_min = 30;
    bk_best_result_t r = run(sorted, 6, &q);
    /* costs: E 150+2880-240 = 2790 min; A 60; B 15+20 = 35; C 30; D 120-240 = -120; F 1440-240 = 1200 */
    assert_int_equal(r.best.index, 4); /* D */
    assert_int_equal(r.best.cost, -120 * MIN);
    assert_int_equal(r.n_alt, 2);
    assert_int_equal(r.alt[0].index, 3); /* C: 30 */
    assert_int_equal(r.alt[1].index, 2); /* B: 35 (another practitioner than C and D) */
}

static void test_invalid(void **state)
{
    (void)state;
    bk_policy_t p = policy_at(0, 0);
    bk_best_query_t q = query(&p);
    bk_best_result_t r;
    q.max_alternatives = BK_MAX_ALTERNATIVES + 1;
    assert_int_equal(bk_best_slot(NULL, 0, &q, &r), BK_EINVAL);
    q = query(&p);
    bk_weights_t w = {.part_miss_ms = -1};
    q.weights = &w;
    assert_int_equal(bk_best_slot(NULL, 0, &q, &r), BK_EINVAL);
    assert_int_equal(bk_best_slot(NULL, 0, NULL, &r), BK_EINVAL);
    assert_int_equal(bk_best_slot(NULL, 0, &q, NULL), BK_EINVAL);
}

static uint64_t rng(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* A random question over n_staff practitioners (a named one may be absent), locations 0-2 and treatments 0-1;
 * the caller fills load[0..n_staff). */
static bk_best_query_t random_query(uint64_t *seed, const bk_policy_t *p, uint32_t n_staff, const uint16_t *load)
{
    bk_best_query_t q = query(p);
    q.requested = rng(seed) % 2 ? 0 : at(0, 0) + (int64_t)(rng(seed) % (8 * 1440)) * MIN;
    q.staff = rng(seed) % 3 == 0 ? (uint32_t)(rng(seed) % (n_staff + 1)) : BK_ANY;
    q.location = rng(seed) % 4 == 0 ? (uint32_t)(rng(seed) % 3) : BK_ANY;
    q.treatment = rng(seed) % 2 ? 0 : BK_ANY;
    q.last_seen_staff = rng(seed) % 2 ? (uint32_t)(rng(seed) % n_staff) : BK_ANY;
    q.part = (bk_part_of_day_t)(rng(seed) % 4);
    q.shortest_treatment_min = (int)(rng(seed) % 3) * 25;
    if (rng(seed) % 2) {
        q.staff_load_permille = load;
        q.n_staff_load = n_staff;
    }
    q.max_alternatives = rng(seed) % 5;
    return q;
}

/* The rules of best_slot.h, written the slow and obvious way. */
typedef struct oracle_cand {
    int64_t cost;
    size_t index;
} oracle_cand_t;

static int64_t oracle_cost(const bk_slot_t *s, const bk_best_query_t *q, tz_instant_t target)
{
    int64_t c = s->start > target ? s->start - target : target - s->start;
    int part = s->local_minute < 720 ? BK_PART_MORNING : s->local_minute < 1020 ? BK_PART_AFTERNOON : BK_PART_EVENING;
    if (q->part != BK_PART_ANY && part != (int)q->part) c += 2 * DAY;
    if (q->last_seen_staff != BK_ANY && s->staff == q->last_seen_staff) c -= 4 * HOUR;
    int sh = q->shortest_treatment_min;
    if (sh > 0) {
        c += 20 * MIN *
             ((s->idle_before_min > 0 && s->idle_before_min < sh) + (s->idle_after_min > 0 && s->idle_after_min < sh));
    }
    if (q->staff_load_permille && s->staff < q->n_staff_load) c += 10 * MIN * q->staff_load_permille[s->staff] / 1000;
    return c;
}

static int oracle_before(const bk_slot_t *v, oracle_cand_t a, oracle_cand_t b)
{
    if (a.cost != b.cost) return a.cost < b.cost;
    const bk_slot_t *x = &v[a.index], *y = &v[b.index];
    if (x->start != y->start) return x->start < y->start;
    if (x->staff != y->staff) return x->staff < y->staff;
    if (x->location != y->location) return x->location < y->location;
    if (x->treatment != y->treatment) return x->treatment < y->treatment;
    return a.index < b.index;
}

static int oracle_diverse(const bk_slot_t *a, const bk_slot_t *b)
{
    int64_t d = a->start > b->start ? a->start - b->start : b->start - a->start;
    return a->local_day != b->local_day || a->staff != b->staff || d >= HOUR;
}

static void test_matches_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 99;
    static bk_slot_t v[400];
    static oracle_cand_t c[400];
    uint16_t load[6];
    for (int iter = 0; iter < 4000; iter++) {
        size_t n = rng(&seed) % 400;
        int64_t t = at(0, 0);
        for (size_t i = 0; i < n; i++) {
            t += (int64_t)(rng(&seed) % 4) * 15 * MIN * (rng(&seed) % 8 == 0 ? 20 : 1);
            int64_t day = t / DAY;
            v[i] = mk((int)(day - D0), (int)((t - day * DAY) / MIN), (uint32_t)(rng(&seed) % 6));
            v[i].location = (uint32_t)(rng(&seed) % 2);
            v[i].treatment = (uint32_t)(rng(&seed) % 2);
            v[i].idle_before_min = (int32_t)(rng(&seed) % 4) * 15;
            v[i].idle_after_min = (int32_t)(rng(&seed) % 4) * 15;
        }
        for (int k = 0; k < 6; k++) load[k] = (uint16_t)(rng(&seed) % 1001);
        bk_policy_t p = policy_at(at(0, 0) + (int64_t)(rng(&seed) % (3 * 1440)) * MIN, (int)(rng(&seed) % 3) * 600);
        if (rng(&seed) % 3 == 0) p.horizon_end = p.now + (int64_t)(rng(&seed) % 10) * DAY;
        bk_best_query_t q = random_query(&seed, &p, 6, load);
        bk_best_result_t r = run(v, n, &q);
        /* oracle */
        tz_instant_t target = q.requested > p.earliest ? q.requested : p.earliest;
        size_t nc = 0;
        for (size_t i = 0; i < n; i++) {
            const bk_slot_t *s = &v[i];
            if (s->start < p.earliest || s->start >= p.horizon_end) continue;
            if ((q.staff != BK_ANY && s->staff != q.staff) || (q.location != BK_ANY && s->location != q.location) ||
                (q.treatment != BK_ANY && s->treatment != q.treatment))
                continue;
            c[nc++] = (oracle_cand_t){oracle_cost(s, &q, target), i};
        }
        for (size_t i = 1; i < nc; i++) /* insertion sort by the total order */
            for (size_t j = i; j > 0 && oracle_before(v, c[j], c[j - 1]); j--) {
                oracle_cand_t tmp = c[j];
                c[j] = c[j - 1];
                c[j - 1] = tmp;
            }
        if (nc == 0) {
            assert_int_not_equal(r.outcome, BK_BEST_FOUND);
            continue;
        }
        assert_int_equal(r.outcome, BK_BEST_FOUND);
        assert_int_equal(r.best.index, c[0].index);
        assert_int_equal(r.best.cost, c[0].cost);
        size_t chosen[1 + BK_MAX_ALTERNATIVES], nch = 1;
        chosen[0] = c[0].index;
        for (size_t i = 1; i < nc && nch < 1 + q.max_alternatives; i++) {
            int ok = 1;
            for (size_t k = 0; k < nch && ok; k++) ok = oracle_diverse(&v[c[i].index], &v[chosen[k]]);
            if (ok) chosen[nch++] = c[i].index;
        }
        assert_int_equal(r.n_alt, nch - 1);
        for (size_t k = 1; k < nch; k++) assert_int_equal(r.alt[k - 1].index, chosen[k]);
    }
}

static void assert_same_pick(const bk_slot_t *va, const bk_pick_t *a, const bk_slot_t *vb, const bk_pick_t *b)
{
    assert_memory_equal(&va[a->index], &vb[b->index], sizeof(bk_slot_t));
    assert_int_equal(a->cost, b->cost);
    assert_int_equal(a->distance_ms, b->distance_ms);
    assert_int_equal(a->part_ok, b->part_ok);
    assert_int_equal(a->last_seen, b->last_seen);
    assert_int_equal(a->gaps, b->gaps);
}

/* Scoring the practitioners' runs as they come (bk_best_slot_runs) gives the verdict of the global sort then
 * bk_best_slot, tie order included: runs share the quarter-hour grid (equal starts and costs with other staff,
 * locations, treatments, ends) and repeat the same practitioner (identical slots told apart by idle time). */
static void test_runs_match_global_sort(void **state)
{
    (void)state;
    uint64_t seed = 2026;
    enum { MAX_RUNS = 12, MAX_RUN = 40, MAX_N = MAX_RUNS * MAX_RUN };
    static bk_slot_t v[MAX_N], sorted_buf[2 * MAX_N];
    size_t ends[MAX_RUNS];
    uint16_t load[4];
    for (int iter = 0; iter < 4000; iter++) {
        size_t n_runs = 1 + rng(&seed) % MAX_RUNS, n = 0;
        int crowded = rng(&seed) % 4 == 0; /* more than TOP slots within the hour: alternatives found past them */
        for (size_t r = 0; r < n_runs; r++) {
            uint32_t staff = (uint32_t)(rng(&seed) % (crowded ? 2 : 4)), location = (uint32_t)(rng(&seed) % 2);
            uint32_t treatment = (uint32_t)(rng(&seed) % 2);
            int64_t t = at(0, 0) + (int64_t)(rng(&seed) % 96) * 15 * MIN;
            for (size_t k = rng(&seed) % (MAX_RUN + 1); k > 0; k--) {
                int64_t jump = rng(&seed) % (crowded ? 40 : 10) == 0 ? 40 : 1;
                t += (int64_t)(rng(&seed) % (crowded ? 2 : 3)) * 15 * MIN * jump;
                int64_t day = t / DAY;
                bk_slot_t *sl = &v[n++];
                *sl = mk((int)(day - D0), (int)((t - day * DAY) / MIN), staff);
                sl->location = location;
                sl->treatment = treatment;
                sl->end = sl->start + (rng(&seed) % 4 == 0 ? 30 : 45) * MIN;
                sl->idle_before_min = (int32_t)(rng(&seed) % 3) * 15;
                sl->idle_after_min = (int32_t)(rng(&seed) % 3) * 15;
            }
            ends[r] = n;
        }
        bk_slots_t sorted;
        bk_slots_init(&sorted, sorted_buf, 2 * MAX_N);
        memcpy(sorted_buf, v, n * sizeof(*v));
        sorted.len = n;
        bk_slots_sort(&sorted, 0);

        for (int k = 0; k < 4; k++) load[k] = (uint16_t)(rng(&seed) % 1001);
        bk_policy_t p = policy_at(at(0, 0) + (int64_t)(rng(&seed) % (2 * 1440)) * MIN, (int)(rng(&seed) % 3) * 600);
        if (rng(&seed) % 2 == 0) p.horizon_end = p.now + (int64_t)(rng(&seed) % 4) * DAY; /* also before earliest */
        bk_best_query_t q = random_query(&seed, &p, 4, load);

        bk_best_result_t a, b;
        assert_int_equal(bk_best_slot_runs(v, ends, n_runs, &q, &a), BK_OK);
        assert_int_equal(bk_best_slot(sorted.v, n, &q, &b), BK_OK);
        assert_int_equal(a.outcome, b.outcome);
        assert_int_equal(a.notice_hours, b.notice_hours);
        if (a.outcome == BK_BEST_FOUND) assert_same_pick(v, &a.best, sorted.v, &b.best);
        assert_int_equal(a.n_alt, b.n_alt);
        for (size_t k = 0; k < a.n_alt; k++) assert_same_pick(v, &a.alt[k], sorted.v, &b.alt[k]);
        assert_int_equal(a.other == BK_NO_SLOT, b.other == BK_NO_SLOT);
        if (a.other != BK_NO_SLOT) assert_memory_equal(&v[a.other], &sorted.v[b.other], sizeof(bk_slot_t));
        assert_int_equal(a.other_staff, b.other_staff);
        assert_int_equal(a.other_location, b.other_location);
    }
    size_t bad[] = {3, 2};
    bk_best_result_t r;
    bk_policy_t p = policy_at(at(0, 0), 0);
    bk_best_query_t q = query(&p);
    assert_int_equal(bk_best_slot_runs(v, bad, 2, &q, &r), BK_EINVAL);
    assert_int_equal(bk_best_slot_runs(v, NULL, 1, &q, &r), BK_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closeness),
        cmocka_unit_test(test_minimum_notice),
        cmocka_unit_test(test_part_of_day),
        cmocka_unit_test(test_last_seen),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_load_spread),
        cmocka_unit_test(test_hard_rules_and_reasons),
        cmocka_unit_test(test_alternatives),
        cmocka_unit_test(test_deterministic_ties),
        cmocka_unit_test(test_readme_example),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_matches_brute_force),
        cmocka_unit_test(test_runs_match_global_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
