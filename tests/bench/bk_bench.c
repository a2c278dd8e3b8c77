/* tests/bench/bk_bench.c: benchmark of the booking core: slot generation and bestSlot over a realistic clinic.
 *
 * Dataset (deterministic, xorshift PRNG): 20 practitioners x 90 local days from Tue 2026-09-01 in
 * Australia/Sydney (crosses the DST change of 2026-10-04), Mon-Fri 08:00-18:00 (every fifth practitioner also
 * Sat 09:00-13:00), staggered lunch breaks, appointments of 30/45/60 minutes filling about 60% of the working
 * time (--booked PCT to change), some overlapping holds; a 30-minute treatment on a 15-minute grid.
 *
 *   bk_bench [--booked PCT] [--runs N] [--queries N]      wall-clock times and allocation counts
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/bk.%p bk_bench --callgrind
 *       one generation and --queries bestSlot calls, each phase dumped separately (CALLGRIND_DUMP_STATS_AT);
 *       read the "summary:" line of /tmp/bk.<pid>.1 (generation) and .2 (scoring) for instruction counts (Ir).
 *
 * Allocations are counted by wrapping malloc/calloc/realloc/free at link time (-Wl,--wrap), which sees every
 * call made from our code (booking/, tz/), between the start and the end of each hot loop. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/best_slot.h"
#include "core/slots.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#ifndef HAVE_CALLGRIND
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(x)
#endif

#define STAFF         20
#define DAYS          90
#define MAX_BUSY      48
#define TREATMENT_MIN 30
#define STEP_MIN      15

/* ---- allocation counting ------------------------------------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static size_t alloc_count; /* bench-only counter (the library itself has no globals) */

void *__wrap_malloc(size_t n)
{
    alloc_count++;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    alloc_count++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    alloc_count++;
    return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
    __real_free(p);
}

/* ---- dataset ---------------------------------------------------------------------------------------------- */

typedef struct staff_day {
    int y, m, d;
    bk_local_range_t hours[1];
    size_t n_hours;
    bk_interval_t busy[MAX_BUSY];
    size_t n_busy;
    int64_t work_min, busy_min;
} staff_day_t;

typedef struct dataset {
    const tz_zone_t *zone;
    staff_day_t day[DAYS][STAFF];
    uint16_t load_permille[STAFF];
    bk_policy_t policy;
} dataset_t;

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static tz_instant_t local_instant(const tz_zone_t *z, int y, int m, int d, int minute)
{
    tz_civil_t c = {y, m, d, minute / 60, minute % 60, 0, 0};
    tz_instant_t t = 0;
    tz_from_local(z, &c, TZ_OVERLAP_FIRST, &t, NULL);
    return t;
}

static void add_busy(staff_day_t *sd, const tz_zone_t *z, int from_min, int to_min)
{
    if (sd->n_busy >= MAX_BUSY) return;
    sd->busy[sd->n_busy++] =
        (bk_interval_t){local_instant(z, sd->y, sd->m, sd->d, from_min), local_instant(z, sd->y, sd->m, sd->d, to_min)};
}

static void build(dataset_t *ds, int booked_pct)
{
    static const int lunch_start[] = {720, 750, 780};
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    /* Chance to start an appointment at a free grid point, for the wanted booked share (mean length 45). */
    double share = booked_pct / 100.0;
    double p_book = share >= 1.0 ? 1.0 : share * STEP_MIN / (45.0 * (1.0 - share) + share * STEP_MIN);
    int64_t first = tz_days_from_civil(2026, 9, 1);
    for (int di = 0; di < DAYS; di++) {
        int y, m, d;
        tz_civil_from_days(first + di, &y, &m, &d);
        int wd = tz_weekday(y, m, d);
        for (int s = 0; s < STAFF; s++) {
            staff_day_t *sd = &ds->day[di][s];
            memset(sd, 0, sizeof(*sd));
            sd->y = y;
            sd->m = m;
            sd->d = d;
            int open = 0, close = 0, lunch = -1;
            if (wd <= 5) {
                open = 480;
                close = 1080;
                lunch = lunch_start[s % 3];
            } else if (wd == 6 && s % 5 == 0) {
                open = 540;
                close = 780;
            }
            if (close == 0) continue;
            sd->hours[0] = (bk_local_range_t){open, close};
            sd->n_hours = 1;
            sd->work_min = close - open;
            for (int t = open; t < close;) {
                if (lunch >= 0 && t >= lunch && t < lunch + 60) {
                    add_busy(sd, ds->zone, lunch, lunch + 60);
                    sd->busy_min += 60;
                    t = lunch + 60;
                    continue;
                }
                if ((double)(rng_next(&rng) % 10000) / 10000.0 < p_book) {
                    static const int lens[] = {30, 45, 45, 60};
                    int len = lens[rng_next(&rng) % 4];
                    int end = t + len;
                    if (lunch >= 0 && t < lunch && end > lunch) end = lunch;
                    if (end > close) end = close;
                    add_busy(sd, ds->zone, t, end);
                    sd->busy_min += end - t;
                    /* now and then another caller's hold overlapping the end of this appointment */
                    if (rng_next(&rng) % 20 == 0) add_busy(sd, ds->zone, end - 15, end + 15);
                    t = end;
                } else {
                    t += STEP_MIN;
                }
            }
            bk_intervals_sort(sd->busy, sd->n_busy);
        }
    }
    for (int s = 0; s < STAFF; s++) {
        int64_t w = 0, b = 0;
        for (int di = 0; di < DAYS; di++) {
            w += ds->day[di][s].work_min;
            b += ds->day[di][s].busy_min;
        }
        ds->load_permille[s] = (uint16_t)(w > 0 ? b * 1000 / w : 0);
    }
    tz_instant_t now = local_instant(ds->zone, 2026, 9, 1, 420); /* Tue 07:00 local */
    bk_policy_init(&ds->policy, ds->zone, now, 120, DAYS);
}

/* ---- the two hot loops ------------------------------------------------------------------------------------ */

static size_t generate(const dataset_t *ds, bk_slots_t *out)
{
    bk_treatment_t tr = {.id = 0, .duration_min = TREATMENT_MIN};
    bk_start_rule_t rule = {BK_START_EVERY_N, STEP_MIN};
    out->len = 0;
    for (int di = 0; di < DAYS; di++) {
        size_t from = out->len;
        for (int s = 0; s < STAFF; s++) {
            const staff_day_t *sd = &ds->day[di][s];
            if (sd->n_hours == 0) continue;
            bk_day_t day = {.zone = ds->zone,
                            .year = sd->y,
                            .month = sd->m,
                            .day = sd->d,
                            .staff = (uint32_t)s,
                            .hours = sd->hours,
                            .n_hours = sd->n_hours,
                            .busy = sd->busy,
                            .n_busy = sd->n_busy};
            if (bk_slots_generate(&day, &tr, &rule, &ds->policy, out) != BK_OK) {
                fprintf(stderr, "generation failed\n");
                exit(1);
            }
        }
        bk_slots_sort(out, from);
    }
    return out->len;
}

typedef struct query_set {
    bk_best_query_t q[4096];
    size_t n;
} query_set_t;

static void make_queries(const dataset_t *ds, query_set_t *qs, size_t n, uint64_t seed)
{
    qs->n = n > 4096 ? 4096 : n;
    for (size_t i = 0; i < qs->n; i++) {
        bk_best_query_t *q = &qs->q[i];
        memset(q, 0, sizeof(*q));
        q->policy = &ds->policy;
        q->requested = i % 4 == 0 ? 0 : ds->policy.now + (int64_t)(rng_next(&seed) % (85 * 96)) * 15 * 60000;
        q->staff = i % 5 == 0 ? (uint32_t)(rng_next(&seed) % STAFF) : BK_ANY;
        q->location = BK_ANY;
        q->treatment = 0;
        q->last_seen_staff = i % 3 == 0 ? (uint32_t)(rng_next(&seed) % STAFF) : BK_ANY;
        q->part = (bk_part_of_day_t)(rng_next(&seed) % 4);
        q->shortest_treatment_min = 30;
        q->staff_load_permille = ds->load_permille;
        q->n_staff_load = STAFF;
        q->max_alternatives = 2;
    }
}

static size_t score_all(const bk_slots_t *slots, const query_set_t *qs, size_t *found)
{
    size_t checksum = 0;
    *found = 0;
    for (size_t i = 0; i < qs->n; i++) {
        bk_best_result_t r;
        if (bk_best_slot(slots->v, slots->len, &qs->q[i], &r) != BK_OK) exit(1);
        if (r.outcome == BK_BEST_FOUND) {
            (*found)++;
            checksum += r.best.index + r.n_alt;
        }
    }
    return checksum;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long arg_long(int argc, char **argv, const char *name, long dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return strtol(argv[i + 1], NULL, 10);
    return dflt;
}

static int has_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int booked = (int)arg_long(argc, argv, "--booked", 60);
    long runs = arg_long(argc, argv, "--runs", 20);
    long nq = arg_long(argc, argv, "--queries", 1000);
    if (booked < 0 || booked > 100 || runs < 1 || nq < 1) {
        fprintf(stderr, "usage: bk_bench [--booked PCT] [--runs N] [--queries N] [--callgrind]\n");
        return 2;
    }
    dataset_t *ds = calloc(1, sizeof(*ds));
    query_set_t *qs = calloc(1, sizeof(*qs)), *worst = calloc(1, sizeof(*worst));
    if (ds == NULL || qs == NULL || worst == NULL) return 1;
    ds->zone = tz_zone_load("Australia/Sydney");
    if (ds->zone == NULL) {
        fprintf(stderr, "no zone Australia/Sydney\n");
        return 1;
    }
    build(ds, booked);
    bk_slots_t slots;
    bk_slots_init(&slots, NULL, 0);
    if (bk_slots_reserve(&slots, (size_t)DAYS * STAFF * (24 * 60 / STEP_MIN)) != BK_OK) return 1;
    make_queries(ds, qs, (size_t)nq, 42);
    make_queries(ds, worst, 100, 7);
    for (size_t i = 0; i < worst->n; i++) worst->q[i].staff = STAFF; /* nobody: a full scan, then the reason */

    size_t found = 0;
    if (has_flag(argc, argv, "--callgrind")) {
        CALLGRIND_ZERO_STATS;
        size_t n = generate(ds, &slots);
        CALLGRIND_DUMP_STATS_AT("generation");
        size_t sum = score_all(&slots, qs, &found);
        CALLGRIND_DUMP_STATS_AT("scoring");
        printf("callgrind mode: %zu slots, %zu queries (%zu found, checksum %zu)\n", n, qs->n, found, sum);
        bk_slots_free(&slots);
        free(ds);
        free(qs);
        free(worst);
        tz_shutdown();
        return 0;
    }

    size_t grid = 0, busy = 0;
    for (int di = 0; di < DAYS; di++)
        for (int s = 0; s < STAFF; s++) {
            grid += (size_t)(ds->day[di][s].work_min / STEP_MIN);
            busy += ds->day[di][s].n_busy;
        }
    int64_t w = 0, b = 0;
    for (int di = 0; di < DAYS; di++)
        for (int s = 0; s < STAFF; s++) {
            w += ds->day[di][s].work_min;
            b += ds->day[di][s].busy_min;
        }

    generate(ds, &slots); /* warm-up: zone cache, page faults */
    double best_gen = 1e9, total_gen = 0;
    size_t gen_allocs = 0;
    for (long r = 0; r < runs; r++) {
        size_t a0 = alloc_count;
        double t0 = seconds();
        generate(ds, &slots);
        double dt = seconds() - t0;
        gen_allocs += alloc_count - a0;
        total_gen += dt;
        if (dt < best_gen) best_gen = dt;
    }
    size_t a0 = alloc_count;
    double t0 = seconds();
    size_t sum = score_all(&slots, qs, &found);
    double score_dt = seconds() - t0;
    size_t score_allocs = alloc_count - a0;
    size_t wf = 0;
    a0 = alloc_count;
    t0 = seconds();
    sum += score_all(&slots, worst, &wf);
    double worst_dt = seconds() - t0;
    score_allocs += alloc_count - a0;

    printf("dataset: %d practitioners x %d days, %lld%% of working time busy, %zu busy intervals\n", STAFF, DAYS,
           (long long)(w > 0 ? b * 100 / w : 0), busy);
    printf("grid positions (15 min, working time): %zu; free 30-min slots generated: %zu\n", grid, slots.len);
    printf("generation: best %.3f ms, mean %.3f ms per full run (%ld runs); %.1f ns per grid position\n",
           best_gen * 1e3, total_gen / (double)runs * 1e3, runs, best_gen * 1e9 / (double)grid);
    printf("bestSlot:   %.2f us mean over %zu mixed queries (%zu found; K=2)\n", score_dt * 1e6 / (double)qs->n, qs->n,
           found);
    printf("bestSlot worst case (named practitioner has nothing: full scan + reason): %.2f us mean\n",
           worst_dt * 1e6 / (double)worst->n);
    printf("allocations in hot loops: generation %zu (over %ld runs), scoring %zu (over %zu calls)\n", gen_allocs, runs,
           score_allocs, qs->n + worst->n);
    printf("checksum %zu; allocations counted in the whole run (counter alive): %zu\n", sum, alloc_count);
    printf("instruction counts: valgrind --tool=callgrind --callgrind-out-file=/tmp/bk.%%p %s --callgrind\n", argv[0]);
    bk_slots_free(&slots);
    free(ds);
    free(qs);
    free(worst);
    tz_shutdown();
    return 0;
}
