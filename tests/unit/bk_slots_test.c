/* tests/unit/bk_slots_test.c: slot generation: grids, breaks, buffers, holds, notice, horizon, DST days, EMR input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/slots.h"

#define MIN TZ_MS_PER_MINUTE

static tz_instant_t utc(int y, int mo, int d, int h, int mi)
{
    return tz_days_from_civil(y, mo, d) * TZ_MS_PER_DAY + h * TZ_MS_PER_HOUR + mi * MIN;
}

static const tz_zone_t *zone(const char *id)
{
    const tz_zone_t *z = tz_zone_load(id);
    assert_non_null(z);
    return z;
}

/* A day with one shift, nothing busy; policy: now long before, no notice, no horizon. */
static bk_day_t day_of(const tz_zone_t *z, int y, int m, int d, const bk_local_range_t *hours, size_t n)
{
    bk_day_t day = {
        .zone = z, .year = y, .month = m, .day = d, .staff = 3, .location = 1, .hours = hours, .n_hours = n};
    return day;
}

static bk_policy_t open_policy(const tz_zone_t *z)
{
    bk_policy_t p;
    assert_int_equal(bk_policy_init(&p, z, utc(2020, 1, 1, 0, 0), 0, 0), BK_OK);
    return p;
}

static size_t gen(const bk_day_t *day, int dur, int before, int after, bk_start_kind_t kind, int step,
                  const bk_policy_t *p, bk_slots_t *out)
{
    bk_treatment_t tr = {.id = 7, .duration_min = dur, .buffer_before_min = before, .buffer_after_min = after};
    bk_start_rule_t rule = {.kind = kind, .step_min = step};
    size_t before_len = out->len;
    assert_int_equal(bk_slots_generate(day, &tr, &rule, p, out), BK_OK);
    return out->len - before_len;
}

static void test_plain_day(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("Australia/Sydney");
    bk_local_range_t h[] = {{540, 1020}};
    bk_day_t day = day_of(z, 2026, 6, 15, h, 1); /* Monday, AEST = UTC+10 */
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[64];
    bk_slots_t out;
    bk_slots_init(&out, buf, 64);
    assert_int_equal(gen(&day, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 8);
    assert_int_equal(buf[0].start, utc(2026, 6, 14, 23, 0));
    assert_int_equal(buf[0].end, utc(2026, 6, 15, 0, 0));
    assert_int_equal(buf[7].start, utc(2026, 6, 15, 6, 0));
    assert_int_equal(buf[0].local_minute, 540);
    assert_int_equal(buf[0].local_day, tz_days_from_civil(2026, 6, 15));
    assert_int_equal(buf[0].staff, 3);
    assert_int_equal(buf[0].location, 1);
    assert_int_equal(buf[0].treatment, 7);
    assert_int_equal(buf[0].idle_before_min, 0);
    assert_int_equal(buf[0].idle_after_min, 420);
    /* step 0 = the duration; 15-minute step */
    out.len = 0;
    assert_int_equal(gen(&day, 45, 0, 0, BK_START_EVERY_N, 0, &p, &out), 10);
    out.len = 0;
    assert_int_equal(gen(&day, 60, 0, 0, BK_START_EVERY_N, 15, &p, &out), 29);
}

/* 09:00-17:00 local stays 09:00-17:00 local on DST days, both hemispheres, both directions. */
static void test_dst_days(void **state)
{
    (void)state;
    struct {
        const char *zone;
        int y, m, d;
        int first_h, first_m_day; /* UTC hour of 09:00 local, and day offset */
    } cases[] = {
        {"America/New_York", 2026, 3, 8, 13, 0},   /* spring forward: EDT, UTC-4 */
        {"America/New_York", 2026, 11, 1, 14, 0},  /* fall back: EST, UTC-5 */
        {"Australia/Sydney", 2026, 4, 5, 23, -1},  /* DST ends: AEST, UTC+10 */
        {"Australia/Sydney", 2026, 10, 4, 22, -1}, /* DST starts: AEDT, UTC+11 */
    };
    bk_local_range_t h[] = {{540, 1020}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const tz_zone_t *z = zone(cases[i].zone);
        bk_day_t day = day_of(z, cases[i].y, cases[i].m, cases[i].d, h, 1);
        bk_policy_t p = open_policy(z);
        bk_slot_t buf[16];
        bk_slots_t out;
        bk_slots_init(&out, buf, 16);
        assert_int_equal(gen(&day, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 8);
        tz_instant_t first =
            utc(cases[i].y, cases[i].m, cases[i].d, cases[i].first_h, 0) + cases[i].first_m_day * TZ_MS_PER_DAY;
        assert_int_equal(buf[0].start, first);
        assert_int_equal(buf[7].start, first + 7 * TZ_MS_PER_HOUR);
        for (int k = 0; k < 8; k++) {
            assert_int_equal(buf[k].local_minute, 540 + 60 * k);
            assert_int_equal(buf[k].local_day, tz_days_from_civil(cases[i].y, cases[i].m, cases[i].d));
        }
    }
}

/* A shift across the spring-forward gap is 2 real hours; a start inside the gap moves forward. */
static void test_shift_across_gap(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("America/New_York");
    bk_local_range_t h[] = {{60, 240}}; /* 01:00-04:00 local, clocks jump 02:00 -> 03:00 */
    bk_day_t day = day_of(z, 2026, 3, 8, h, 1);
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[16];
    bk_slots_t out;
    bk_slots_init(&out, buf, 16);
    assert_int_equal(gen(&day, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 2);
    assert_int_equal(buf[0].start, utc(2026, 3, 8, 6, 0)); /* 01:00 EST */
    assert_int_equal(buf[1].start, utc(2026, 3, 8, 7, 0)); /* 03:00 EDT */
    assert_int_equal(buf[0].local_minute, 60);
    assert_int_equal(buf[1].local_minute, 180);
    bk_local_range_t g[] = {{150, 300}}; /* 02:30 does not exist: the shift starts at 03:30 EDT */
    day = day_of(z, 2026, 3, 8, g, 1);
    out.len = 0;
    assert_int_equal(gen(&day, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 1);
    assert_int_equal(buf[0].start, utc(2026, 3, 8, 7, 30));
    assert_int_equal(buf[0].local_minute, 210);
    /* Fall back: 01:00-03:00 local is 3 real hours (01:00 EDT .. 03:00 EST). */
    bk_local_range_t f[] = {{60, 180}};
    day = day_of(z, 2026, 11, 1, f, 1);
    out.len = 0;
    assert_int_equal(gen(&day, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 3);
    assert_int_equal(buf[0].start, utc(2026, 11, 1, 5, 0));
    assert_int_equal(buf[1].local_minute, 60); /* 01:00 EST, the second 01:00 */
    assert_int_equal(buf[2].local_minute, 120);
}

/* A 90-minute treatment does not fit in the 60 minutes left before lunch. */
static void test_ninety_minutes_before_break(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    bk_local_range_t h[] = {{540, 1020}};
    bk_interval_t lunch[] = {{utc(2026, 6, 15, 12, 0), utc(2026, 6, 15, 13, 0)}};
    bk_day_t day = day_of(z, 2026, 6, 15, h, 1);
    day.busy = lunch;
    day.n_busy = 1;
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[32];
    bk_slots_t out;
    bk_slots_init(&out, buf, 32);
    assert_int_equal(gen(&day, 90, 0, 0, BK_START_EVERY_N, 30, &p, &out), 10);
    assert_int_equal(buf[3].start, utc(2026, 6, 15, 10, 30)); /* ends exactly at 12:00 */
    assert_int_equal(buf[3].idle_after_min, 0);
    assert_int_equal(buf[4].start, utc(2026, 6, 15, 13, 0)); /* 11:00 would run into lunch */
    assert_int_equal(buf[9].start, utc(2026, 6, 15, 15, 30));
    /* Lunch as a second shift boundary gives the same answer. */
    bk_local_range_t split[] = {{540, 720}, {780, 1020}};
    day = day_of(z, 2026, 6, 15, split, 2);
    out.len = 0;
    assert_int_equal(gen(&day, 90, 0, 0, BK_START_EVERY_N, 30, &p, &out), 10);
    assert_int_equal(buf[4].start, utc(2026, 6, 15, 13, 0));
}

/* Buffers must be free of busy time; back-to-back restarts the grid after the buffer. */
static void test_buffers_and_back_to_back(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    bk_local_range_t h[] = {{540, 840}}; /* 09:00-14:00 */
    bk_interval_t appt[] = {{utc(2026, 6, 15, 11, 0), utc(2026, 6, 15, 12, 0)}};
    bk_day_t day = day_of(z, 2026, 6, 15, h, 1);
    day.busy = appt;
    day.n_busy = 1;
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[32];
    bk_slots_t out;
    bk_slots_init(&out, buf, 32);
    assert_int_equal(gen(&day, 60, 10, 15, BK_START_EVERY_N, 15, &p, &out), 8);
    assert_int_equal(buf[0].start, utc(2026, 6, 15, 9, 0));  /* the before-buffer may reach outside hours */
    assert_int_equal(buf[3].start, utc(2026, 6, 15, 9, 45)); /* 09:45 + 60 + 15 = 11:00 */
    assert_int_equal(buf[3].idle_after_min, 0);
    assert_int_equal(buf[4].start, utc(2026, 6, 15, 12, 15)); /* 12:00 + 10 -> next grid point */
    assert_int_equal(buf[4].idle_before_min, 5);
    assert_int_equal(buf[7].start, utc(2026, 6, 15, 13, 0));
    out.len = 0;
    assert_int_equal(gen(&day, 60, 10, 15, BK_START_BACK_TO_BACK, 15, &p, &out), 8);
    assert_int_equal(buf[4].start, utc(2026, 6, 15, 12, 10));
    assert_int_equal(buf[4].idle_before_min, 0);
    assert_int_equal(buf[7].start, utc(2026, 6, 15, 12, 55));
}

/* Holds and appointments of different lengths that overlap each other, given in any order. */
static void test_overlapping_holds(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    bk_local_range_t h[] = {{540, 780}}; /* 09:00-13:00 */
    bk_interval_t busy[] = {
        {utc(2026, 6, 15, 10, 15), utc(2026, 6, 15, 11, 30)}, {utc(2026, 6, 15, 10, 0), utc(2026, 6, 15, 10, 30)},
        {utc(2026, 6, 15, 10, 20), utc(2026, 6, 15, 10, 40)}, {utc(2026, 6, 15, 12, 30), utc(2026, 6, 15, 12, 45)},
        {utc(2026, 6, 15, 12, 0), utc(2026, 6, 15, 13, 0)},
    };
    bk_day_t day = day_of(z, 2026, 6, 15, h, 1);
    day.busy = busy;
    day.n_busy = 5;
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[32];
    bk_slots_t out;
    bk_slots_init(&out, buf, 32);
    bk_treatment_t tr = {.id = 1, .duration_min = 30};
    bk_start_rule_t rule = {BK_START_EVERY_N, 30};
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_EINVAL); /* unsorted */
    assert_false(bk_intervals_sorted(busy, 5));
    bk_intervals_sort(busy, 5);
    assert_true(bk_intervals_sorted(busy, 5));
    assert_int_equal(gen(&day, 30, 0, 0, BK_START_EVERY_N, 30, &p, &out), 3);
    assert_int_equal(buf[0].start, utc(2026, 6, 15, 9, 0));
    assert_int_equal(buf[1].start, utc(2026, 6, 15, 9, 30));
    assert_int_equal(buf[2].start, utc(2026, 6, 15, 11, 30));
    assert_int_equal(buf[2].idle_after_min, 0);
}

/* Minimum notice across midnight: asked at 22:00 with 12 h notice, the first slot is 10:00 next morning. */
static void test_notice_across_midnight(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("Australia/Sydney");
    bk_local_range_t h[] = {{540, 1020}};
    tz_instant_t now = utc(2026, 6, 15, 12, 0); /* Mon 22:00 AEST */
    bk_policy_t p;
    assert_int_equal(bk_policy_init(&p, z, now, 12 * 60, 30), BK_OK);
    assert_int_equal(p.earliest, utc(2026, 6, 16, 0, 0)); /* Tue 10:00 AEST */
    bk_slot_t buf[32];
    bk_slots_t out;
    bk_slots_init(&out, buf, 32);
    bk_day_t mon = day_of(z, 2026, 6, 15, h, 1), tue = day_of(z, 2026, 6, 16, h, 1);
    assert_int_equal(gen(&mon, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 0);
    assert_int_equal(gen(&tue, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 7);
    assert_int_equal(buf[0].local_minute, 600);
    /* 11.5 h notice: earliest 09:30, but the grid stays on the hour. */
    assert_int_equal(bk_policy_init(&p, z, now, 11 * 60 + 30, 30), BK_OK);
    out.len = 0;
    assert_int_equal(gen(&tue, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 7);
    assert_int_equal(buf[0].local_minute, 600);
    /* Horizon: 2 days ahead means Monday and Tuesday only. */
    assert_int_equal(bk_policy_init(&p, z, now, 0, 2), BK_OK);
    assert_int_equal(p.horizon_end, utc(2026, 6, 16, 14, 0)); /* Wed 00:00 AEST */
    bk_day_t wed = day_of(z, 2026, 6, 17, h, 1);
    out.len = 0;
    assert_int_equal(gen(&wed, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 0);
    assert_int_equal(gen(&tue, 60, 0, 0, BK_START_EVERY_N, 60, &p, &out), 8);
}

/* EMR-provided openings and start times. */
static void test_emr_inputs(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("America/Vancouver");
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[32];
    bk_slots_t out;
    bk_slots_init(&out, buf, 32);
    tz_instant_t s[] = {utc(2026, 6, 15, 16, 0), utc(2026, 6, 15, 17, 0), utc(2026, 6, 15, 18, 0)};
    bk_interval_t hold[] = {{utc(2026, 6, 15, 17, 30), utc(2026, 6, 15, 17, 45)}};
    bk_day_t day = {.zone = z, .staff = 2, .starts = s, .n_starts = 3, .busy = hold, .n_busy = 1};
    assert_int_equal(gen(&day, 45, 0, 0, BK_START_EVERY_N, 0, &p, &out), 2);
    assert_int_equal(buf[0].start, s[0]);
    assert_int_equal(buf[1].start, s[2]);
    assert_int_equal(buf[0].local_minute, 9 * 60); /* PDT, UTC-7 */
    bk_interval_t open[] = {{utc(2026, 6, 15, 16, 0), utc(2026, 6, 15, 19, 0)}};
    bk_day_t day2 = {.zone = z, .staff = 2, .openings = open, .n_openings = 1, .busy = hold, .n_busy = 1};
    out.len = 0;
    assert_int_equal(gen(&day2, 30, 0, 0, BK_START_EVERY_N, 30, &p, &out), 5);
    assert_int_equal(buf[2].start, utc(2026, 6, 15, 17, 0));
    assert_int_equal(buf[3].start, utc(2026, 6, 15, 18, 0));
    assert_int_equal(buf[3].local_day, tz_days_from_civil(2026, 6, 15));
}

static void test_buffers_full_and_growable(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    bk_local_range_t h[] = {{0, 1440}};
    bk_day_t day = day_of(z, 2026, 6, 15, h, 1);
    bk_policy_t p = open_policy(z);
    bk_treatment_t tr = {.id = 1, .duration_min = 15};
    bk_start_rule_t rule = {BK_START_EVERY_N, 15};
    bk_slot_t buf[10];
    bk_slots_t out;
    bk_slots_init(&out, buf, 10);
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_EFULL);
    assert_int_equal(out.len, 10);
    assert_int_equal(out.dropped, 86);
    bk_slots_init(&out, NULL, 0);
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_OK);
    assert_int_equal(out.len, 96);
    assert_int_equal(out.v[95].local_minute, 1425);
    bk_slots_free(&out);
    assert_null(out.v);
}

static void test_invalid_inputs(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    bk_local_range_t bad[] = {{600, 540}};
    bk_local_range_t overlap[] = {{540, 700}, {600, 800}};
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[4];
    bk_slots_t out;
    bk_slots_init(&out, buf, 4);
    bk_treatment_t tr = {.id = 1, .duration_min = 15};
    bk_start_rule_t rule = {BK_START_EVERY_N, 15};
    bk_day_t day = day_of(z, 2026, 6, 15, bad, 1);
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_EINVAL);
    day = day_of(z, 2026, 6, 15, overlap, 2);
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_EINVAL);
    day = day_of(z, 2026, 2, 30, overlap, 0);
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_EINVAL);
    tr.duration_min = 0;
    day = day_of(z, 2026, 6, 15, bad, 0);
    assert_int_equal(bk_slots_generate(&day, &tr, &rule, &p, &out), BK_EINVAL);
    assert_int_equal(bk_policy_init(&p, NULL, 0, 0, 0), BK_EINVAL);
    assert_int_equal(out.len, 0);
}

/* Several practitioners: bk_slots_sort orders by start, then staff. */
static void test_sort_across_staff(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    bk_local_range_t h1[] = {{540, 660}}, h2[] = {{570, 690}};
    bk_policy_t p = open_policy(z);
    bk_slot_t buf[32];
    bk_slots_t out;
    bk_slots_init(&out, buf, 32);
    bk_day_t a = day_of(z, 2026, 6, 15, h2, 1), b = day_of(z, 2026, 6, 15, h1, 1);
    a.staff = 5;
    b.staff = 4;
    gen(&a, 30, 0, 0, BK_START_EVERY_N, 30, &p, &out);
    gen(&b, 30, 0, 0, BK_START_EVERY_N, 30, &p, &out);
    assert_int_equal(out.len, 8);
    bk_slots_sort(&out, 0);
    for (size_t i = 1; i < out.len; i++) {
        assert_true(buf[i - 1].start <= buf[i].start);
        if (buf[i - 1].start == buf[i].start) assert_true(buf[i - 1].staff < buf[i].staff);
    }
    assert_int_equal(buf[0].staff, 4);
    assert_int_equal(buf[1].staff, 4);
    assert_int_equal(buf[2].staff, 5);
}

static uint64_t rng(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* The contract, checked the slow way: a start is valid when the treatment lies inside a shift, its padded
 * span overlaps no busy interval, and it is not before earliest. */
static int valid_start(tz_instant_t t, const bk_interval_t *w, size_t nw, const bk_interval_t *busy, size_t nb,
                       int64_t dur, int64_t before, int64_t after, tz_instant_t earliest, size_t *shift)
{
    if (t < earliest) return 0;
    size_t k = 0;
    while (k < nw && !(w[k].start <= t && t + dur <= w[k].end)) k++;
    if (k == nw) return 0;
    for (size_t j = 0; j < nb; j++)
        if (busy[j].start < t + dur + after && busy[j].end > t - before) return 0;
    *shift = k;
    return 1;
}

/* Random days in UTC against the brute force: EVERY_N gives exactly the valid grid points; BACK_TO_BACK gives
 * only valid starts, including every start right after a busy end (plus buffer) and at each shift start. */
static void test_matches_brute_force(void **state)
{
    (void)state;
    const tz_zone_t *z = zone("UTC");
    uint64_t seed = 12345;
    bk_slot_t buf[512];
    for (int iter = 0; iter < 3000; iter++) {
        bk_local_range_t h[3];
        size_t nh = 1 + rng(&seed) % 3;
        int at = (int)(rng(&seed) % 300);
        for (size_t i = 0; i < nh; i++) {
            h[i].start_min = at;
            h[i].end_min = at + 30 + (int)(rng(&seed) % 300);
            if (h[i].end_min > 1440) h[i].end_min = 1440;
            at = h[i].end_min + (int)(rng(&seed) % 60);
            if (at > 1440) at = 1440;
        }
        bk_interval_t w[3];
        tz_instant_t d0 = utc(2026, 6, 15, 0, 0);
        for (size_t i = 0; i < nh; i++) w[i] = (bk_interval_t){d0 + h[i].start_min * MIN, d0 + h[i].end_min * MIN};
        bk_interval_t busy[12];
        size_t nb = rng(&seed) % 12;
        for (size_t i = 0; i < nb; i++) {
            int64_t s0 = (int64_t)(rng(&seed) % 1500) - 30, len = 1 + (int64_t)(rng(&seed) % 120);
            busy[i] = (bk_interval_t){d0 + s0 * MIN + (int64_t)(rng(&seed) % 3) * 20000, d0 + (s0 + len) * MIN};
        }
        bk_intervals_sort(busy, nb);
        int dur = 5 + (int)(rng(&seed) % 90), before = (int)(rng(&seed) % 3) * 5, after = (int)(rng(&seed) % 3) * 5;
        int step = 5 * (1 + (int)(rng(&seed) % 6));
        bk_policy_t p;
        assert_int_equal(bk_policy_init(&p, z, d0 + (int64_t)(rng(&seed) % 1000) * MIN - 500 * MIN, 0, 0), BK_OK);
        bk_day_t day = day_of(z, 2026, 6, 15, h, nh);
        day.busy = busy;
        day.n_busy = nb;
        bk_slots_t out;
        bk_slots_init(&out, buf, 512);
        /* EVERY_N: exact equality with the grid points that are valid */
        size_t n = gen(&day, dur, before, after, BK_START_EVERY_N, step, &p, &out), k = 0;
        for (size_t i = 0; i < nh; i++) {
            for (tz_instant_t t = w[i].start; t + dur * MIN <= w[i].end; t += step * MIN) {
                size_t sh;
                if (!valid_start(t, w, nh, busy, nb, dur * MIN, before * MIN, after * MIN, p.earliest, &sh)) continue;
                assert_true(k < n);
                assert_int_equal(buf[k].start, t);
                k++;
            }
        }
        assert_int_equal(k, n);
        /* BACK_TO_BACK: sound, ascending, and takes every anchor */
        out.len = 0;
        n = gen(&day, dur, before, after, BK_START_BACK_TO_BACK, step, &p, &out);
        for (size_t i = 0; i < n; i++) {
            size_t sh;
            assert_true(
                valid_start(buf[i].start, w, nh, busy, nb, dur * MIN, before * MIN, after * MIN, p.earliest, &sh));
            if (i > 0) assert_true(buf[i].start > buf[i - 1].start);
        }
        for (size_t j = 0; j <= nb + nh; j++) {
            tz_instant_t t = j < nb ? busy[j].end + before * MIN : w[j - nb < nh ? j - nb : 0].start;
            if (j == nb + nh) break;
            size_t sh;
            if (!valid_start(t, w, nh, busy, nb, dur * MIN, before * MIN, after * MIN, p.earliest, &sh)) continue;
            size_t i = 0;
            while (i < n && buf[i].start != t) i++;
            assert_true(i < n);
        }
    }
}

/* Both sort paths (merge in spare capacity, heap sort without) give the same total order. */
static void test_sort_paths(void **state)
{
    (void)state;
    static bk_slot_t a[600], b[300];
    uint64_t seed = 777;
    for (int iter = 0; iter < 200; iter++) {
        size_t n = rng(&seed) % 300;
        for (size_t i = 0; i < n; i++) {
            memset(&a[i], 0, sizeof(a[i]));
            a[i].start = (int64_t)(rng(&seed) % 50) * MIN;
            a[i].end = a[i].start + (int64_t)(rng(&seed) % 3) * MIN;
            a[i].staff = (uint32_t)(rng(&seed) % 4);
            a[i].location = (uint32_t)(rng(&seed) % 2);
            b[i] = a[i];
        }
        bk_slots_t sa = {.v = a, .len = n, .cap = 600}, sb = {.v = b, .len = n, .cap = 300};
        bk_slots_sort(&sa, 0);
        bk_slots_sort(&sb, 0);
        for (size_t i = 0; i < n; i++) {
            assert_memory_equal(&a[i], &b[i], sizeof(a[i]));
            if (i > 0) {
                assert_true(a[i - 1].start <= a[i].start);
                if (a[i - 1].start == a[i].start) assert_true(a[i - 1].staff <= a[i].staff);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_day),
        cmocka_unit_test(test_dst_days),
        cmocka_unit_test(test_shift_across_gap),
        cmocka_unit_test(test_ninety_minutes_before_break),
        cmocka_unit_test(test_buffers_and_back_to_back),
        cmocka_unit_test(test_overlapping_holds),
        cmocka_unit_test(test_notice_across_midnight),
        cmocka_unit_test(test_emr_inputs),
        cmocka_unit_test(test_buffers_full_and_growable),
        cmocka_unit_test(test_invalid_inputs),
        cmocka_unit_test(test_sort_across_staff),
        cmocka_unit_test(test_matches_brute_force),
        cmocka_unit_test(test_sort_paths),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_shutdown();
    return rc;
}
