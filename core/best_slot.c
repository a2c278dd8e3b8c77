/* core/best_slot.c: bestSlot search: hard filters, weighted cost, outward scan, diverse alternatives. */
#include "core/best_slot.h"

#include <string.h>

#define TOP          32             /* best candidates kept during the scan, for picking diverse alternatives */
#define WEIGHT_LIMIT (1LL << 40)    /* keeps every cost sum far from overflow */
#define DIVERSE_MS   TZ_MS_PER_HOUR /* "at least an hour apart" */
#define NOON_MIN     720
#define FIVE_PM_MIN  1020

const bk_weights_t bk_default_weights = {
    .part_miss_ms = 2 * TZ_MS_PER_DAY,
    .last_seen_bonus_ms = 4 * TZ_MS_PER_HOUR,
    .gap_ms = 20 * TZ_MS_PER_MINUTE,
    .load_ms = 10 * TZ_MS_PER_MINUTE,
};

typedef struct cand {
    int64_t cost;
    size_t index;
} cand_t;

typedef struct search {
    const bk_slot_t *s;
    const size_t *run_ends; /* run r is s[r ? run_ends[r - 1] : 0, run_ends[r]), each sorted by start */
    size_t n_runs;
    const bk_best_query_t *q;
    const bk_weights_t *w;
    uint32_t staff, location, treatment; /* the hard filters in force (a relaxed copy for the "why" search) */
    tz_instant_t target;
    cand_t top[TOP];
    size_t n_top;
    int truncated; /* some candidate may exist that is not in top[] */
} search_t;

bk_part_of_day_t bk_part_of_minute(int local_minute)
{
    if (local_minute < NOON_MIN) return BK_PART_MORNING;
    if (local_minute < FIVE_PM_MIN) return BK_PART_AFTERNOON;
    return BK_PART_EVENING;
}

/* First index whose start is >= t (slots sorted by start). */
static size_t lower_bound(const bk_slot_t *s, size_t n, tz_instant_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].start < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One run's bounds, and within it [lo, hi): the slots whose start is inside [earliest, horizon_end). */
typedef struct span {
    size_t begin, lo, hi, end;
} span_t;

static span_t span_of(const search_t *x, size_t r)
{
    const bk_policy_t *p = x->q->policy;
    span_t sp = {.begin = r > 0 ? x->run_ends[r - 1] : 0, .end = x->run_ends[r]};
    sp.lo = sp.begin + lower_bound(x->s + sp.begin, sp.end - sp.begin, p->earliest);
    sp.hi = sp.begin + lower_bound(x->s + sp.begin, sp.end - sp.begin, p->horizon_end);
    if (sp.hi < sp.lo) sp.hi = sp.lo;
    return sp;
}

static int passes(const search_t *x, const bk_slot_t *s)
{
    return (x->treatment == BK_ANY || s->treatment == x->treatment) && (x->staff == BK_ANY || s->staff == x->staff) &&
           (x->location == BK_ANY || s->location == x->location);
}

static int64_t distance(const search_t *x, const bk_slot_t *s)
{
    return s->start >= x->target ? s->start - x->target : x->target - s->start;
}

static int gaps_of(const search_t *x, const bk_slot_t *s)
{
    int shortest = x->q->shortest_treatment_min;
    if (shortest <= 0) return 0;
    return (s->idle_before_min > 0 && s->idle_before_min < shortest) +
           (s->idle_after_min > 0 && s->idle_after_min < shortest);
}

static int part_ok(const search_t *x, const bk_slot_t *s)
{
    return x->q->part == BK_PART_ANY || bk_part_of_minute(s->local_minute) == x->q->part;
}

static int64_t cost_of(const search_t *x, const bk_slot_t *s)
{
    const bk_best_query_t *q = x->q;
    int64_t c = distance(x, s);
    if (!part_ok(x, s)) c += x->w->part_miss_ms;
    if (q->last_seen_staff != BK_ANY && s->staff == q->last_seen_staff) c -= x->w->last_seen_bonus_ms;
    c += x->w->gap_ms * gaps_of(x, s);
    if (q->staff_load_permille != NULL && s->staff < q->n_staff_load) {
        int64_t share = q->staff_load_permille[s->staff];
        if (share > 1000) share = 1000;
        c += x->w->load_ms * share / 1000;
    }
    return c;
}

/* The order of bk_slots_sort (start, staff, location, treatment, end), then index: slots[a] before slots[b] in
 * the one sorted list a stable merge of the runs would give. */
static int slot_first(const search_t *x, size_t a, size_t b)
{
    const bk_slot_t *sa = &x->s[a], *sb = &x->s[b];
    if (sa->start != sb->start) return sa->start < sb->start;
    if (sa->staff != sb->staff) return sa->staff < sb->staff;
    if (sa->location != sb->location) return sa->location < sb->location;
    if (sa->treatment != sb->treatment) return sa->treatment < sb->treatment;
    if (sa->end != sb->end) return sa->end < sb->end;
    return a < b;
}

/* The total order of candidates: cost, then the slot order. */
static int better(const search_t *x, const cand_t *a, const cand_t *b)
{
    if (a->cost != b->cost) return a->cost < b->cost;
    return slot_first(x, a->index, b->index);
}

static void keep(search_t *x, cand_t c)
{
    size_t pos = x->n_top;
    if (x->n_top == TOP) {
        x->truncated = 1;
        if (!better(x, &c, &x->top[TOP - 1])) return;
        pos = TOP - 1;
    } else {
        x->n_top++;
    }
    while (pos > 0 && better(x, &c, &x->top[pos - 1])) {
        x->top[pos] = x->top[pos - 1];
        pos--;
    }
    x->top[pos] = c;
}

/* Walks each run outwards from the target, nearest slot first, until no unseen slot of it can beat the TOP kept:
 * every soft term but the last-seen bonus only adds, so a slot at distance d costs at least d - bonus. The TOP
 * best under a total order do not depend on the order the runs are read in. */
static void scan(search_t *x)
{
    const bk_policy_t *p = x->q->policy;
    x->n_top = 0;
    x->truncated = 0;
    x->target = x->q->requested > p->earliest ? x->q->requested : p->earliest;
    int64_t bonus = x->q->last_seen_staff != BK_ANY ? x->w->last_seen_bonus_ms : 0;
    for (size_t r = 0; r < x->n_runs; r++) {
        span_t sp = span_of(x, r);
        size_t mid = sp.begin + lower_bound(x->s + sp.begin, sp.end - sp.begin, x->target);
        if (mid < sp.lo) mid = sp.lo;
        if (mid > sp.hi) mid = sp.hi;
        size_t down = mid, up = mid; /* next slots: s[down - 1] going down, s[up] going up */
        while (down > sp.lo || up < sp.hi) {
            size_t i;
            if (up >= sp.hi || (down > sp.lo && distance(x, &x->s[down - 1]) <= distance(x, &x->s[up])))
                i = --down;
            else
                i = up++;
            const bk_slot_t *s = &x->s[i];
            if (x->n_top == TOP && distance(x, s) - bonus > x->top[TOP - 1].cost) {
                x->truncated = 1;
                break;
            }
            if (passes(x, s)) keep(x, (cand_t){cost_of(x, s), i});
        }
    }
}

static int diverse(const bk_slot_t *a, const bk_slot_t *b)
{
    int64_t apart = a->start >= b->start ? a->start - b->start : b->start - a->start;
    return a->local_day != b->local_day || a->staff != b->staff || apart >= DIVERSE_MS;
}

static int diverse_from_all(const search_t *x, const bk_best_result_t *r, size_t i)
{
    if (!diverse(&x->s[i], &x->s[r->best.index])) return 0;
    for (size_t k = 0; k < r->n_alt; k++)
        if (!diverse(&x->s[i], &x->s[r->alt[k].index])) return 0;
    return 1;
}

static bk_pick_t pick_of(const search_t *x, cand_t c)
{
    const bk_slot_t *s = &x->s[c.index];
    bk_pick_t p = {
        .index = c.index,
        .cost = c.cost,
        .distance_ms = distance(x, s),
        .part_ok = (uint8_t)part_ok(x, s),
        .last_seen = x->q->last_seen_staff != BK_ANY && s->staff == x->q->last_seen_staff,
        .gaps = (uint8_t)gaps_of(x, s),
    };
    return p;
}

/* Greedy in cost order: first from the kept TOP, then, if they ran out and more exist, one full pass per
 * missing alternative over the candidates ordered after the last kept one. */
static void choose_alternatives(search_t *x, bk_best_result_t *r)
{
    size_t want = x->q->max_alternatives;
    for (size_t k = 1; k < x->n_top && r->n_alt < want; k++)
        if (diverse_from_all(x, r, x->top[k].index)) r->alt[r->n_alt++] = pick_of(x, x->top[k]);
    if (!x->truncated) return;
    cand_t floor = x->top[x->n_top - 1];
    while (r->n_alt < want) {
        cand_t best = {0, BK_NO_SLOT};
        for (size_t run = 0; run < x->n_runs; run++) {
            span_t sp = span_of(x, run);
            for (size_t i = sp.lo; i < sp.hi; i++) {
                const bk_slot_t *s = &x->s[i];
                if (!passes(x, s)) continue;
                cand_t c = {cost_of(x, s), i};
                if (!better(x, &floor, &c)) continue;
                if (best.index != BK_NO_SLOT && !better(x, &c, &best)) continue;
                if (!diverse_from_all(x, r, i)) continue;
                best = c;
            }
        }
        if (best.index == BK_NO_SLOT) return;
        r->alt[r->n_alt++] = pick_of(x, best);
    }
}

/* Nothing passed: relax one constraint at a time to say why, with something else to offer. */
static void explain(search_t *x, bk_best_result_t *r)
{
    const bk_best_query_t *q = x->q;
    if (q->staff != BK_ANY) {
        x->staff = BK_ANY;
        scan(x);
        x->staff = q->staff;
        if (x->n_top > 0) {
            r->outcome = BK_NONE_NAMED_STAFF_FULL;
            r->other = x->top[0].index;
            goto other_found;
        }
    }
    if (q->location != BK_ANY) {
        x->location = BK_ANY;
        scan(x);
        x->location = q->location;
        if (x->n_top > 0) {
            r->outcome = BK_NONE_NAMED_LOCATION_FULL;
            r->other = x->top[0].index;
            goto other_found;
        }
    }
    for (size_t run = 0; run < x->n_runs; run++) {
        span_t sp = span_of(x, run);
        for (size_t i = sp.begin + lower_bound(x->s + sp.begin, sp.lo - sp.begin, q->policy->now); i < sp.lo; i++) {
            if (passes(x, &x->s[i])) {
                r->outcome = BK_NONE_NEEDS_NOTICE;
                r->notice_hours = (q->policy->min_notice_min + 59) / 60;
                return;
            }
        }
    }
    r->outcome = BK_NONE_NO_OPENINGS;
    for (size_t run = 0; run < x->n_runs; run++) { /* the first matching slot after the horizon, in slot order */
        span_t sp = span_of(x, run);
        for (size_t i = sp.hi; i < sp.end; i++) {
            if (r->other != BK_NO_SLOT && x->s[i].start > x->s[r->other].start) break;
            if (passes(x, &x->s[i]) && (r->other == BK_NO_SLOT || slot_first(x, i, r->other))) r->other = i;
        }
    }
    if (r->other == BK_NO_SLOT) return;
other_found:
    r->other_staff = x->s[r->other].staff;
    r->other_location = x->s[r->other].location;
}

static int valid_weights(const bk_weights_t *w)
{
    return w->part_miss_ms >= 0 && w->part_miss_ms < WEIGHT_LIMIT && w->last_seen_bonus_ms >= 0 &&
           w->last_seen_bonus_ms < WEIGHT_LIMIT && w->gap_ms >= 0 && w->gap_ms < WEIGHT_LIMIT && w->load_ms >= 0 &&
           w->load_ms < WEIGHT_LIMIT;
}

int bk_best_slot_runs(const bk_slot_t *slots, const size_t *run_ends, size_t n_runs, const bk_best_query_t *q,
                      bk_best_result_t *out)
{
    if (out == NULL) return BK_EINVAL;
    memset(out, 0, sizeof(*out));
    out->best.index = BK_NO_SLOT;
    out->other = BK_NO_SLOT;
    out->other_staff = BK_ANY;
    out->other_location = BK_ANY;
    const bk_weights_t *w = q != NULL && q->weights != NULL ? q->weights : &bk_default_weights;
    if (q == NULL || q->policy == NULL || (n_runs > 0 && run_ends == NULL) ||
        q->max_alternatives > BK_MAX_ALTERNATIVES || q->part < BK_PART_ANY || q->part > BK_PART_EVENING ||
        !valid_weights(w) || (q->n_staff_load > 0 && q->staff_load_permille == NULL))
        return BK_EINVAL;
    for (size_t r = 0; r < n_runs; r++)
        if (run_ends[r] < (r > 0 ? run_ends[r - 1] : 0)) return BK_EINVAL;
    if (n_runs > 0 && run_ends[n_runs - 1] > 0 && slots == NULL) return BK_EINVAL;
    search_t x = {
        .s = slots,
        .run_ends = run_ends,
        .n_runs = n_runs,
        .q = q,
        .w = w,
        .staff = q->staff,
        .location = q->location,
        .treatment = q->treatment,
    };
    scan(&x);
    if (x.n_top == 0) {
        explain(&x, out);
        return BK_OK;
    }
    out->outcome = BK_BEST_FOUND;
    out->best = pick_of(&x, x.top[0]);
    choose_alternatives(&x, out);
    return BK_OK;
}

int bk_best_slot(const bk_slot_t *slots, size_t n, const bk_best_query_t *q, bk_best_result_t *out)
{
    return bk_best_slot_runs(slots, &n, 1, q, out);
}
