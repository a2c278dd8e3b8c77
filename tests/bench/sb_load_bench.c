/* tests/bench/sb_load_bench.c: times parse + validate of a generated clinic file: 20 practitioners at two
 * locations, 90 days of bookings (a few thousand), patients and overrides. Run: sb_load_bench [iterations]. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/sandbox_clinic.h"

typedef struct buf {
    char *data;
    size_t len, cap;
} buf_t;

static void put(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(buf_t *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) abort();
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n;
        if ((b->data = realloc(b->data, b->cap)) == NULL) abort();
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#define PRACTITIONERS 20
#define DAYS          90
#define PATIENTS      2000

static const char *const zones[2] = {"Australia/Sydney", "America/Vancouver"};

/* The clinic text; *bookings receives how many bookings it holds. */
static buf_t generate(size_t *bookings)
{
    buf_t b = {.data = malloc(1 << 16), .cap = 1 << 16};
    if (b.data == NULL) abort();
    put(&b, "{\"clinic\": {\"name\": \"Bench Clinic\", \"country\": \"AU\"}, \"locations\": [");
    for (int l = 0; l < 2; l++)
        put(&b,
            "%s{\"id\": \"loc-%d\", \"name\": \"Location %d\", \"address\": {\"line1\": \"%d Main St\", \"city\": "
            "\"City\", \"country\": \"AU\"}, \"time_zone\": \"%s\", \"closures\": [{\"date\": \"2026-12-25\"}]}",
            l ? ", " : "", l, l, l + 1, zones[l]);
    put(&b, "], \"treatments\": [");
    static const int durations[] = {15, 30, 45, 60, 90};
    for (int t = 0; t < 5; t++)
        put(&b,
            "%s{\"id\": \"tx-%d\", \"name\": \"Treatment %d\", \"duration_minutes\": %d, \"price\": {\"amount\": "
            "%d.50, \"currency\": \"AUD\"}}",
            t ? ", " : "", t, t, durations[t], 40 + 20 * t);
    put(&b, "], \"practitioners\": [");
    for (int p = 0; p < PRACTITIONERS; p++) {
        put(&b,
            "%s{\"id\": \"pr-%d\", \"first_name\": \"First%d\", \"last_name\": \"Last%d\", \"email\": "
            "\"p%d@example.com\", \"treatment_ids\": [\"tx-0\", \"tx-1\", \"tx-2\", \"tx-3\", \"tx-4\"], "
            "\"schedules\": [{\"location_id\": \"loc-%d\", \"weekly\": [{\"days\": [\"mon\", \"tue\", \"wed\", "
            "\"thu\", \"fri\"], \"intervals\": [{\"start\": \"08:00\", \"end\": \"12:00\"}, {\"start\": \"13:00\", "
            "\"end\": \"18:00\"}]}, {\"days\": [\"sat\"], \"intervals\": [{\"start\": \"09:00\", \"end\": "
            "\"13:00\"}]}]}], \"overrides\": [{\"date\": \"2026-06-%02d\", \"closed\": true}, {\"date\": "
            "\"2026-07-%02d\", \"location_id\": \"loc-%d\", \"intervals\": [{\"start\": \"10:00\", \"end\": "
            "\"14:00\"}]}]}",
            p ? ", " : "", p, p, p, p, p % 2, 1 + p, 1 + p, p % 2);
    }
    put(&b, "], \"patients\": [");
    for (int i = 0; i < PATIENTS; i++)
        put(&b,
            "%s{\"id\": \"pt-%d\", \"first_name\": \"Pat%d\", \"last_name\": \"Ient\", \"phone\": \"+614915%05d\", "
            "\"dob\": \"1980-01-%02d\"}",
            i ? ", " : "", i, i, i, 1 + i % 28);
    put(&b, "], \"bookings\": [");
    size_t n = 0;
    int64_t first = tz_days_from_civil(2026, 5, 4);
    for (int p = 0; p < PRACTITIONERS; p++) {
        const tz_zone_t *z = tz_zone_load(zones[p % 2]);
        for (int64_t dn = first; dn < first + DAYS; dn++) {
            int y, m, d;
            tz_civil_from_days(dn, &y, &m, &d);
            if (tz_weekday(y, m, d) > 5 || ((m == 6 || m == 7) && d == 1 + p)) continue; /* weekend, override */
            static const int hours[] = {8, 10, 14, 16};
            for (int k = 0; k < 4; k++) {
                tz_civil_t c = {.year = y, .month = m, .day = d, .hour = hours[k]};
                tz_instant_t t;
                char iso[TZ_ISO_CAP];
                if (tz_from_local(z, &c, TZ_OVERLAP_FIRST, &t, NULL) != 0) abort();
                tz_format_local(z, t, iso);
                put(&b,
                    "%s{\"id\": \"bk-%zu\", \"practitioner_id\": \"pr-%d\", \"treatment_id\": \"tx-%d\", "
                    "\"location_id\": \"loc-%d\", \"patient_id\": \"pt-%zu\", \"start\": \"%s\"}",
                    n ? ", " : "", n, p, k % 4, p % 2, n % PATIENTS, iso);
                n++;
            }
        }
    }
    put(&b, "], \"generated_bookings\": {\"fill_ratio\": 0.35, \"seed\": 1}}");
    *bookings = n;
    return b;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 20;
    if (iterations < 1) iterations = 1;
    size_t bookings;
    buf_t b = generate(&bookings);
    sb_diag_t *diag = sb_diag_new();
    /* One checked load first: the generated file must be clean. */
    sb_clinic_t *c = sb_clinic_parse(b.data, b.len, diag);
    if (c == NULL || sb_diag_count(diag) != 0) {
        char text[4096];
        sb_diag_render(diag, text, sizeof(text));
        fprintf(stderr, "generated clinic did not load cleanly:\n%s\n", text);
        return 1;
    }
    sb_clinic_free(c);
    double best = 1e18, total = 0;
    for (long i = 0; i < iterations; i++) {
        sb_diag_clear(diag);
        double t0 = now_ms();
        c = sb_clinic_parse(b.data, b.len, diag);
        double dt = now_ms() - t0;
        if (c == NULL) return 1;
        sb_clinic_free(c);
        total += dt;
        if (dt < best) best = dt;
    }
    /* The provider's per-day questions over the whole horizon, for scale. */
    c = sb_clinic_parse(b.data, b.len, diag);
    double t0 = now_ms();
    long busy = 0;
    int64_t first = tz_days_from_civil(2026, 5, 4);
    for (size_t p = 0; p < c->practitioner_count; p++)
        for (int64_t dn = first; dn < first + DAYS; dn++) {
            int y, m, d;
            sb_interval_t out[SB_DAY_MAX_BUSY];
            tz_civil_from_days(dn, &y, &m, &d);
            busy += sb_clinic_generated_busy(c, p, p % 2, y, m, d, out, SB_DAY_MAX_BUSY);
        }
    double gen_ms = now_ms() - t0;
    printf("clinic file: %.1f KiB, %d practitioners, %d days, %zu bookings, %d patients\n", (double)b.len / 1024.0,
           PRACTITIONERS, DAYS, bookings, PATIENTS);
    printf("parse + validate: best %.2f ms, mean %.2f ms over %ld loads\n", best, total / (double)iterations,
           iterations);
    printf("generated busy intervals, %d practitioner-days: %.2f ms (%ld intervals)\n", PRACTITIONERS * DAYS, gen_ms,
           busy);
    sb_clinic_free(c);
    sb_diag_free(diag);
    free(b.data);
    tz_shutdown();
    return 0;
}
