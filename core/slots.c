/* core/slots.c: slot generation for one practitioner-day, the slot list, and the resolved booking policy. */
#include "core/slots.h"

#include <stdlib.h>
#include <string.h>

/* Instants outside +-2^50 ms (about 35,000 years) are refused, so that adding buffers can never overflow and
 * INT64_MIN/INT64_MAX stay free for "no limit". */
#define INSTANT_LIMIT (1LL << 50)
#define MAX_MINUTES   1440

typedef struct gen {
    const bk_day_t *day;
    const bk_policy_t *policy;
    bk_slots_t *out;
    int64_t dur, before, after, step;
    int back_to_back;
    uint32_t treatment;
    int uniform_day; /* the whole local day has one UTC offset: local minute = (t - day_start) / minute */
    tz_instant_t day_start;
    int32_t day_number;
    int status;
} gen_t;

/* ---- the slot list ------------------------------------------------------------------------------------- */

void bk_slots_init(bk_slots_t *s, bk_slot_t *buf, size_t cap)
{
    s->v = buf;
    s->len = 0;
    s->cap = buf != NULL ? cap : 0;
    s->dropped = 0;
    s->growable = buf == NULL;
}

int bk_slots_reserve(bk_slots_t *s, size_t cap)
{
    if (cap <= s->cap) return BK_OK;
    if (!s->growable) return BK_EFULL;
    if (cap > SIZE_MAX / sizeof(bk_slot_t)) return BK_ENOMEM;
    bk_slot_t *v = realloc(s->v, cap * sizeof(bk_slot_t));
    if (v == NULL) return BK_ENOMEM;
    s->v = v;
    s->cap = cap;
    return BK_OK;
}

void bk_slots_free(bk_slots_t *s)
{
    if (s->growable) {
        free(s->v);
        s->v = NULL;
        s->cap = 0;
    }
    s->len = 0;
    s->dropped = 0;
}

static int slot_before(const bk_slot_t *a, const bk_slot_t *b)
{
    if (a->start != b->start) return a->start < b->start;
    if (a->staff != b->staff) return a->staff < b->staff;
    if (a->location != b->location) return a->location < b->location;
    if (a->treatment != b->treatment) return a->treatment < b->treatment;
    return a->end < b->end;
}

static void slot_sift_down(bk_slot_t *v, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && slot_before(&v[child], &v[child + 1])) child++;
        if (!slot_before(&v[root], &v[child])) return;
        bk_slot_t tmp = v[root];
        v[root] = v[child];
        v[child] = tmp;
        root = child;
    }
}

static size_t run_end(const bk_slot_t *v, size_t i, size_t n)
{
    for (i++; i < n && !slot_before(&v[i], &v[i - 1]); i++) continue;
    return i;
}

/* Natural merge sort: one practitioner's slots of a day come as an ascending run, so a day of 20
 * practitioners needs about five passes. `tmp` holds n slots. Stable. */
static void merge_sort(bk_slot_t *v, bk_slot_t *tmp, size_t n)
{
    bk_slot_t *src = v, *dst = tmp;
    for (;;) {
        size_t runs = 0;
        for (size_t i = 0; i < n;) {
            size_t mid = run_end(src, i, n);
            size_t end = mid < n ? run_end(src, mid, n) : n;
            size_t a = i, b = mid, k = i;
            while (a < mid && b < end) dst[k++] = slot_before(&src[b], &src[a]) ? src[b++] : src[a++];
            while (a < mid) dst[k++] = src[a++];
            while (b < end) dst[k++] = src[b++];
            runs++;
            i = end;
        }
        bk_slot_t *t = src;
        src = dst;
        dst = t;
        if (runs <= 1) break;
    }
    if (src != v) memcpy(v, src, n * sizeof(*v));
}

static void heap_sort(bk_slot_t *v, size_t n)
{
    for (size_t k = n / 2; k-- > 0;) slot_sift_down(v, k, n);
    for (size_t end = n - 1; end > 0; end--) {
        bk_slot_t tmp = v[0];
        v[0] = v[end];
        v[end] = tmp;
        slot_sift_down(v, 0, end);
    }
}

void bk_slots_sort(bk_slots_t *s, size_t from)
{
    if (from >= s->len) return;
    bk_slot_t *v = s->v + from;
    size_t n = s->len - from;
    if (run_end(v, 0, n) == n) return; /* already ordered: one practitioner, or one staff's day */
    if (s->cap - s->len >= n)
        merge_sort(v, s->v + s->len, n); /* the list's spare capacity is the scratch space */
    else
        heap_sort(v, n);
}

static int push(gen_t *g, const bk_slot_t *slot)
{
    bk_slots_t *s = g->out;
    if (s->len == s->cap) {
        if (!s->growable) {
            s->dropped++;
            g->status = BK_EFULL;
            return 0;
        }
        size_t cap = s->cap < 64 ? 64 : s->cap * 2;
        if (bk_slots_reserve(s, cap) != BK_OK) {
            g->status = BK_ENOMEM;
            return -1;
        }
    }
    s->v[s->len++] = *slot;
    return 0;
}

/* ---- policy --------------------------------------------------------------------------------------------- */

int bk_policy_init(bk_policy_t *p, const tz_zone_t *zone, tz_instant_t now, int min_notice_min, int max_days_ahead)
{
    memset(p, 0, sizeof(*p));
    if (zone == NULL || min_notice_min < 0 || min_notice_min > 366 * MAX_MINUTES || now <= -INSTANT_LIMIT ||
        now >= INSTANT_LIMIT)
        return BK_EINVAL;
    p->now = now;
    p->min_notice_min = min_notice_min;
    p->max_days_ahead = max_days_ahead;
    p->earliest = now + (int64_t)min_notice_min * TZ_MS_PER_MINUTE;
    p->horizon_end = INT64_MAX;
    if (max_days_ahead > 0) {
        if (max_days_ahead > 3660) return BK_EINVAL;
        int y, m, d;
        tz_local_date(zone, now, &y, &m, &d);
        tz_civil_from_days(tz_days_from_civil(y, m, d) + max_days_ahead, &y, &m, &d);
        if (tz_day_start(zone, y, m, d, &p->horizon_end) != 0) return BK_EINVAL;
    }
    return BK_OK;
}

/* ---- generation ----------------------------------------------------------------------------------------- */

static int64_t floor_minutes(int64_t ms)
{
    if (ms <= 0) return 0;
    int64_t m = ms / TZ_MS_PER_MINUTE;
    return m > INT32_MAX ? INT32_MAX : m;
}

static int emit(gen_t *g, tz_instant_t t, tz_instant_t room_start, tz_instant_t room_end)
{
    bk_slot_t s;
    s.start = t;
    s.end = t + g->dur;
    s.reserved = 0;
    s.idle_before_min = (int32_t)floor_minutes((t - g->before) - room_start);
    s.idle_after_min = (int32_t)floor_minutes(room_end - (s.end + g->after));
    s.staff = g->day->staff;
    s.location = g->day->location;
    s.treatment = g->treatment;
    if (g->uniform_day) {
        s.local_day = g->day_number;
        s.local_minute = (int16_t)((t - g->day_start) / TZ_MS_PER_MINUTE);
    } else {
        tz_civil_t c;
        tz_to_local(g->day->zone, t, &c, NULL);
        s.local_day = (int32_t)tz_days_from_civil(c.year, c.month, c.day);
        s.local_minute = (int16_t)(c.hour * 60 + c.minute);
    }
    return push(g, &s);
}

/* Places starts in one busy-free gap [gs, ge) (gs = INT64_MIN: nothing busy before; ge = INT64_MAX: nothing
 * after) of the working window [ws, we), whose grid starts at `origin`. */
static int fill_gap(gen_t *g, tz_instant_t ws, tz_instant_t we, tz_instant_t gs, tz_instant_t ge)
{
    tz_instant_t lo = ws, hi = we - g->dur;
    if (gs != INT64_MIN && gs + g->before > lo) lo = gs + g->before;
    if (ge != INT64_MAX && ge - g->after - g->dur < hi) hi = ge - g->after - g->dur;
    if (lo > hi) return 0;
    tz_instant_t room_start = gs > ws ? gs : ws;
    tz_instant_t room_end = ge < we ? ge : we;
    tz_instant_t origin = g->back_to_back ? lo : ws;
    tz_instant_t from = lo > g->policy->earliest ? lo : g->policy->earliest;
    if (from > hi) return 0;
    tz_instant_t t = origin + (from - origin + g->step - 1) / g->step * g->step;
    for (; t <= hi && t < g->policy->horizon_end; t += g->step)
        if (emit(g, t, room_start, room_end) != 0) return -1;
    return 0;
}

/* All starts of one working window [ws, we): walk the busy list (sorted by start, overlaps allowed) keeping
 * the end of everything busy so far; each stretch between that end and the next busy start is a gap. */
static int fill_window(gen_t *g, tz_instant_t ws, tz_instant_t we)
{
    if (we - g->dur < ws || we <= g->policy->earliest || ws >= g->policy->horizon_end) return 0;
    const bk_interval_t *b = g->day->busy;
    size_t n = g->day->n_busy;
    tz_instant_t covered = INT64_MIN;
    for (size_t i = 0; i <= n; i++) {
        tz_instant_t next = i < n ? b[i].start : INT64_MAX;
        if (next > covered && fill_gap(g, ws, we, covered, next) != 0) return -1;
        if (next >= we) break; /* every later gap starts at or after we */
        if (b[i].end > covered) covered = b[i].end;
    }
    return 0;
}

static int local_to_utc(const bk_day_t *d, int minute, tz_overlap_policy_t policy, tz_instant_t next_start,
                        tz_instant_t *out)
{
    if (minute == MAX_MINUTES) {
        *out = next_start;
        return 0;
    }
    tz_civil_t c = {d->year, d->month, d->day, minute / 60, minute % 60, 0, 0};
    return tz_from_local(d->zone, &c, policy, out, NULL);
}

static int from_hours(gen_t *g)
{
    const bk_day_t *d = g->day;
    tz_instant_t next_start;
    int y, m, dd;
    int64_t dn = tz_days_from_civil(d->year, d->month, d->day);
    tz_civil_from_days(dn + 1, &y, &m, &dd);
    if (tz_day_start(d->zone, d->year, d->month, d->day, &g->day_start) != 0 ||
        tz_day_start(d->zone, y, m, dd, &next_start) != 0)
        return BK_EINVAL;
    if (next_start <= g->policy->earliest || g->day_start >= g->policy->horizon_end) return BK_OK;
    g->day_number = (int32_t)dn;
    g->uniform_day = next_start - g->day_start == TZ_MS_PER_DAY &&
                     tz_offset_seconds(d->zone, g->day_start) == tz_offset_seconds(d->zone, next_start - 1);
    for (size_t i = 0; i < d->n_hours; i++) {
        tz_instant_t ws, we;
        if (local_to_utc(d, d->hours[i].start_min, TZ_OVERLAP_FIRST, next_start, &ws) != 0 ||
            local_to_utc(d, d->hours[i].end_min, TZ_OVERLAP_SECOND, next_start, &we) != 0)
            return BK_EINVAL;
        if (fill_window(g, ws, we) != 0) return g->status;
    }
    return g->status;
}

static int from_openings(gen_t *g)
{
    const bk_day_t *d = g->day;
    for (size_t i = 0; i < d->n_openings; i++)
        if (fill_window(g, d->openings[i].start, d->openings[i].end) != 0) return g->status;
    return g->status;
}

static int from_starts(gen_t *g)
{
    const bk_day_t *d = g->day;
    const bk_interval_t *b = d->busy;
    size_t j = 0;
    tz_instant_t covered = INT64_MIN; /* latest end of the busy intervals that start before the padded end */
    for (size_t i = 0; i < d->n_starts; i++) {
        tz_instant_t t = d->starts[i];
        if (t < g->policy->earliest) continue;
        if (t >= g->policy->horizon_end) break;
        tz_instant_t padded_start = t - g->before, padded_end = t + g->dur + g->after;
        for (; j < d->n_busy && b[j].start < padded_end; j++)
            if (b[j].end > covered) covered = b[j].end;
        if (covered > padded_start) continue;
        if (emit(g, t, padded_start, padded_end) != 0) return g->status;
    }
    return g->status;
}

static int valid_instant(tz_instant_t t)
{
    return t > -INSTANT_LIMIT && t < INSTANT_LIMIT;
}

static int valid_input(const bk_day_t *d, const bk_treatment_t *tr, const bk_start_rule_t *rule)
{
    if (d->zone == NULL || tr->duration_min < 1 || tr->duration_min > MAX_MINUTES || tr->buffer_before_min < 0 ||
        tr->buffer_before_min > MAX_MINUTES || tr->buffer_after_min < 0 || tr->buffer_after_min > MAX_MINUTES ||
        rule->step_min < 0 || rule->step_min > MAX_MINUTES ||
        (rule->kind != BK_START_EVERY_N && rule->kind != BK_START_BACK_TO_BACK))
        return 0;
    if ((d->n_hours && !d->hours) || (d->n_openings && !d->openings) || (d->n_starts && !d->starts) ||
        (d->n_busy && !d->busy))
        return 0;
    for (size_t i = 0; i < d->n_busy; i++) {
        if (!valid_instant(d->busy[i].start) || !valid_instant(d->busy[i].end)) return 0;
        if (i > 0 && d->busy[i].start < d->busy[i - 1].start) return 0;
    }
    if (d->n_starts > 0) {
        for (size_t i = 0; i < d->n_starts; i++)
            if (!valid_instant(d->starts[i]) || (i > 0 && d->starts[i] < d->starts[i - 1])) return 0;
    } else if (d->n_openings > 0) {
        for (size_t i = 0; i < d->n_openings; i++) {
            const bk_interval_t *o = &d->openings[i];
            if (!valid_instant(o->start) || !valid_instant(o->end) || o->end < o->start) return 0;
            if (i > 0 && o->start < d->openings[i - 1].end) return 0;
        }
    } else {
        for (size_t i = 0; i < d->n_hours; i++) {
            const bk_local_range_t *r = &d->hours[i];
            if (r->start_min < 0 || r->end_min > MAX_MINUTES || r->end_min < r->start_min) return 0;
            if (i > 0 && r->start_min < d->hours[i - 1].end_min) return 0;
        }
        if (d->month < 1 || d->month > 12 || d->day < 1 || d->day > 31) return 0;
    }
    return 1;
}

int bk_slots_generate(const bk_day_t *day, const bk_treatment_t *treatment, const bk_start_rule_t *rule,
                      const bk_policy_t *policy, bk_slots_t *out)
{
    if (day == NULL || treatment == NULL || rule == NULL || policy == NULL || out == NULL ||
        !valid_input(day, treatment, rule))
        return BK_EINVAL;
    gen_t g = {
        .day = day,
        .policy = policy,
        .out = out,
        .dur = (int64_t)treatment->duration_min * TZ_MS_PER_MINUTE,
        .before = (int64_t)treatment->buffer_before_min * TZ_MS_PER_MINUTE,
        .after = (int64_t)treatment->buffer_after_min * TZ_MS_PER_MINUTE,
        .step = (int64_t)(rule->step_min > 0 ? rule->step_min : treatment->duration_min) * TZ_MS_PER_MINUTE,
        .back_to_back = rule->kind == BK_START_BACK_TO_BACK,
        .treatment = treatment->id,
        .status = BK_OK,
    };
    size_t first = out->len;
    int rc;
    if (day->n_starts > 0)
        rc = from_starts(&g);
    else if (day->n_openings > 0)
        rc = from_openings(&g);
    else
        rc = from_hours(&g);
    if (rc == BK_EINVAL) out->len = first;
    return rc;
}
