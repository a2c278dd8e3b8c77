/* booking/best_search.c: gather openings across candidates in one or two passes, then bestSlot, within a budget
 * (see best_search.h). */
#include "booking/best_search.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "booking/availability.h"
#include "tz/tz.h"

typedef struct search search_t;

/* One practitioner at one location; the strings a later read needs are the caller's (borrowed until the answer:
 * the catalog is gone by then, the caller's copies are not). */
typedef struct cand {
    uint32_t staff, location;
    const char *staff_id, *location_id, *time_zone;
    const tz_zone_t *zone;
    tz_offset_span_t offsets; /* the zone's offset over the current span: one lookup per transition, not per slot */
} cand_t;

/* One availability read: a candidate over one window, in pass 0, 1 or 2. */
typedef struct read {
    search_t *search;
    uint32_t cand;
    int pass;
} read_t;

struct search {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    uint32_t treatment;
    const char *treatment_id; /* borrowed, as the candidates' strings */
    int duration_min, shortest_min;
    int64_t now, requested, target;
    uint32_t staff, location;
    bk_part_of_day_t part;
    uint32_t last_seen_staff;
    const tz_zone_t *policy_zone;
    bk_policy_t policy;
    int64_t win_from, win_to; /* passes 0 and 1: the local days around the target */
    int chunks;               /* pass 2: chunks of BK_SEARCH_CHUNK_DAYS local days */
    cand_t cands[BK_SEARCH_MAX_CANDIDATES];
    size_t n_cands;
    read_t *reads; /* n_cands for each of passes 0 and 1, then n_cands * chunks for pass 2 */
    size_t n_reads;
    size_t pending;      /* reads of any pass not yet answered */
    size_t pass_pending; /* reads of the current pass not yet answered */
    int pass;
    bool pass_any_ok, pass_failed, starting, answered, timer_open, have_first, past_horizon;
    prov_status_t failure;
    bk_slots_t slots;       /* the current pass's slots: one run per read, each sorted by start */
    size_t *run_ends;       /* where each run of slots ends (as many as reads) */
    size_t n_runs;
    bk_slots_t first;       /* the last narrower pass's slots while a wider one runs */
    bk_best_result_t first_best;
    uv_timer_t timer;
    bk_search_cb cb;
    void *data;
};

static void search_free(search_t *s)
{
    bk_slots_free(&s->slots);
    bk_slots_free(&s->first);
    free(s->reads);
    free(s->run_ends);
    free(s);
}

static void maybe_free(search_t *s)
{
    if (!s->starting && s->answered && s->pending == 0 && !s->timer_open) search_free(s);
}

static void on_timer_closed(uv_handle_t *h)
{
    search_t *s = h->data;
    s->timer_open = false;
    maybe_free(s);
}

static void answer(search_t *s, prov_status_t status, const bk_slots_t *slots, const bk_best_result_t *best,
                   bool partial)
{
    s->answered = true;
    if (s->timer_open && !uv_is_closing((uv_handle_t *)&s->timer)) {
        uv_timer_stop(&s->timer);
        uv_close((uv_handle_t *)&s->timer, on_timer_closed);
    }
    if (status != PROV_OK) {
        s->cb(status, NULL, s->data);
        return;
    }
    bk_search_result_t res = {.slots = slots->v, .n = slots->len, .best = best, .partial = partial,
                              .widened = s->pass == 2, .past_horizon = s->past_horizon,
                              .horizon_end = s->policy.horizon_end};
    s->cb(PROV_OK, &res, s->data);
}

/* Scores the current pass's slots, run by run (each read's openings come sorted by start): no global order. */
static bool score(search_t *s, bk_best_result_t *best)
{
    bk_best_query_t q = {.policy = &s->policy, .requested = s->requested, .staff = s->staff,
                         .location = s->location, .treatment = BK_ANY, .last_seen_staff = s->last_seen_staff,
                         .part = s->part, .shortest_treatment_min = s->shortest_min, .max_alternatives = 2};
    return bk_best_slot_runs(s->slots.v, s->run_ends, s->n_runs, &q, best) == BK_OK;
}

/* True when a narrower pass's verdict is the whole horizon's (see best_search.h): a slot outside the window costs
 * at least its distance to the target less the last-seen bonus (every other term only adds). */
static bool settled(const search_t *s, const bk_best_result_t *b)
{
    bool low_open = s->win_from > s->policy.earliest, high_open = s->win_to < s->policy.horizon_end;
    if (!low_open && !high_open) return true;
    if (b->outcome != BK_BEST_FOUND || b->n_alt < 2) return false;
    int64_t margin = INT64_MAX;
    if (low_open) margin = s->target - s->win_from;
    if (high_open && s->win_to - s->target < margin) margin = s->win_to - s->target;
    if (s->last_seen_staff != BK_ANY) margin -= bk_default_weights.last_seen_bonus_ms;
    if (b->best.cost >= margin) return false;
    for (size_t i = 0; i < b->n_alt; i++)
        if (b->alt[i].cost >= margin) return false;
    return true;
}

static void on_openings(prov_status_t status, const prov_opening_t *openings, size_t count, void *data);

/* The gap rule's idle time, from one practitioner's openings alone (v[0..n), sorted by start): the openings
 * overlap into free blocks (working time with nothing booked or held), and a slot's idle time is what it leaves
 * free between itself and its block's edges (a booking, a hold, a break, the day's end or the notice). */
static void set_idle_from_blocks(bk_slot_t *v, size_t n)
{
    for (size_t i = 0, j; i < n; i = j) {
        int64_t block_start = v[i].start, block_end = v[i].end;
        for (j = i + 1; j < n && v[j].start <= block_end; j++)
            if (v[j].end > block_end) block_end = v[j].end;
        for (size_t k = i; k < j; k++) {
            v[k].idle_before_min = (int32_t)((v[k].start - block_start) / TZ_MS_PER_MINUTE);
            v[k].idle_after_min = (int32_t)((block_end - v[k].end) / TZ_MS_PER_MINUTE);
        }
    }
}

/* Appends one read's openings (sorted by start) as slots of candidate c. The local day and minute of a slot are
 * its distance from the start of its local day: the offset is looked up once per zone transition (c->offsets)
 * and the day's bounds worked out once per local day, not per slot. The caller has reserved room for count. */
static void append_run(search_t *s, cand_t *c, const prov_opening_t *openings, size_t count)
{
    bk_slot_t *v = s->slots.v + s->slots.len;
    int64_t base = 0, from = 0, to = 0; /* base: UTC start of local day `day`; the offset holds in [from, to) */
    int32_t day = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t t = openings[i].start;
        if (t < from || t >= to) {
            /* The local wall time read as if UTC, split into days since 1970 and the rest. */
            int64_t offset_ms = (int64_t)tz_offset_cached(&c->offsets, t) * 1000, local = t + offset_ms;
            int64_t d = local / TZ_MS_PER_DAY - (local % TZ_MS_PER_DAY < 0);
            day = (int32_t)d;
            base = d * TZ_MS_PER_DAY - offset_ms;
            from = c->offsets.from > base ? c->offsets.from : base;
            to = c->offsets.until < base + TZ_MS_PER_DAY ? c->offsets.until : base + TZ_MS_PER_DAY;
        }
        v[i] = (bk_slot_t){.start = t, .end = openings[i].end, .local_day = day,
                           .local_minute = (int16_t)((t - base) / TZ_MS_PER_MINUTE), .staff = c->staff,
                           .location = c->location, .treatment = s->treatment};
    }
    s->slots.len += count;
}

/* Room for `more` slots in the current pass's list, growing it by at least half (one realloc per few reads). */
static bool room_for(search_t *s, size_t more)
{
    size_t need = s->slots.len + more;
    if (need <= s->slots.cap) return true;
    size_t grown = s->slots.cap + s->slots.cap / 2;
    return bk_slots_reserve(&s->slots, grown > need ? grown : need) == BK_OK;
}

/* Starts one read per candidate over [from, to). Returns how many started. */
static size_t start_reads(search_t *s, int pass, int64_t from, int64_t to)
{
    size_t started = 0;
    if (to <= from) return 0;
    for (size_t i = 0; i < s->n_cands; i++) {
        const cand_t *c = &s->cands[i];
        read_t *rd = &s->reads[s->n_reads];
        *rd = (read_t){.search = s, .cand = (uint32_t)i, .pass = pass};
        bk_avail_query_t q = {.tenant = s->tenant, .staff_id = c->staff_id, .treatment_id = s->treatment_id,
                              .location_id = c->location_id, .duration_minutes = s->duration_min,
                              .time_zone = c->time_zone, .from = from, .to = to, .now = s->now};
        s->pending++, s->pass_pending++, s->n_reads++;
        if (bk_availability_get(s->env, &q, on_openings, rd) == 0) {
            started++;
        } else {
            s->pending--, s->pass_pending--, s->n_reads--;
        }
    }
    return started;
}

static int64_t day_start_or(const tz_zone_t *zone, int64_t day, int64_t fallback)
{
    int y, m, d;
    tz_civil_from_days(day, &y, &m, &d);
    tz_instant_t t;
    return tz_day_start(zone, y, m, d, &t) == 0 ? t : fallback;
}

static void pass_done(search_t *s);

/* Pass 2: the whole horizon in chunks. Returns false when nothing could be started. */
static bool start_pass2(search_t *s)
{
    s->pass = 2;
    s->pass_any_ok = s->pass_failed = false;
    s->failure = PROV_UNAVAILABLE;
    s->pass_pending = 0;
    int y, m, d;
    tz_local_date(s->policy_zone, s->now, &y, &m, &d);
    int64_t today = tz_days_from_civil(y, m, d);
    bool was_starting = s->starting;
    s->starting = true;
    size_t started = 0;
    for (int k = 0; k < s->chunks; k++) {
        int64_t from = k == 0 ? s->now : day_start_or(s->policy_zone, today + (int64_t)k * BK_SEARCH_CHUNK_DAYS, 0);
        int64_t to = day_start_or(s->policy_zone, today + (int64_t)(k + 1) * BK_SEARCH_CHUNK_DAYS, INT64_MAX);
        if (to > s->policy.horizon_end) to = s->policy.horizon_end;
        if (from > 0) started += start_reads(s, 2, from, to);
    }
    s->starting = was_starting;
    if (started == 0) {
        s->pass = s->have_first ? 1 : 2; /* keep the narrower verdict (any pass below 2 is scored as such) */
        return false;
    }
    if (s->pass_pending == 0 && !was_starting) pass_done(s); /* every read answered at once */
    return true;
}

/* The local days [target day - 1, target day + days) of the policy zone, cut to [now, horizon end). */
static void set_window(search_t *s, int days)
{
    int y, m, d;
    tz_local_date(s->policy_zone, s->target, &y, &m, &d);
    int64_t tday = tz_days_from_civil(y, m, d);
    s->win_from = day_start_or(s->policy_zone, tday - 1, s->now);
    if (s->win_from < s->now) s->win_from = s->now;
    s->win_to = day_start_or(s->policy_zone, tday + days, s->policy.horizon_end);
    if (s->win_to > s->policy.horizon_end) s->win_to = s->policy.horizon_end;
}

/* Keeps the narrower pass's slots and verdict (the answer if the wider pass runs out of time). */
static void keep_first(search_t *s, const bk_best_result_t *best)
{
    bk_slots_free(&s->first);
    s->first = s->slots;
    s->first_best = *best;
    s->have_first = true;
    bk_slots_init(&s->slots, NULL, 0);
    s->n_runs = 0;
}

/* Pass 1 after pass 0 did not settle: the week from the target. Returns false when nothing could be started. */
static bool start_pass1(search_t *s)
{
    s->pass = 1;
    s->pass_any_ok = s->pass_failed = false;
    s->failure = PROV_UNAVAILABLE;
    s->pass_pending = 0;
    set_window(s, BK_SEARCH_FIRST_DAYS);
    bool was_starting = s->starting;
    s->starting = true;
    size_t started = start_reads(s, 1, s->win_from, s->win_to);
    s->starting = was_starting;
    if (started == 0) {
        s->pass = 0;
        return false;
    }
    if (s->pass_pending == 0 && !was_starting) pass_done(s);
    return true;
}

/* The end of a pass, before its own verdict: when no call of the pass succeeded, answers with what an earlier pass
 * found (or the failure); when the openings cannot be scored, answers PROV_UPSTREAM. True when it answered; false
 * with *best scored from s->slots. */
static bool answered_unscored(search_t *s, bk_best_result_t *best)
{
    if (!s->pass_any_ok) { /* this pass failed: the earlier pass's verdict is what is known */
        if (s->have_first) answer(s, PROV_OK, &s->first, &s->first_best, true);
        else answer(s, s->failure, NULL, NULL, false);
        return true;
    }
    if (!score(s, best)) {
        answer(s, PROV_UPSTREAM, NULL, NULL, false);
        return true;
    }
    return false;
}

static void pass_done(search_t *s)
{
    bk_best_result_t best;
    if (answered_unscored(s, &best)) return;
    if (s->pass < 2) {
        if (settled(s, &best)) {
            answer(s, PROV_OK, &s->slots, &best, s->pass_failed);
            return;
        }
        keep_first(s, &best);
        int64_t near_to = s->win_to;
        /* pass 1 only when it reads more than pass 0 did (BK_SEARCH_NEAR_DAYS, best_search.h) */
        bool wider = BK_SEARCH_FIRST_DAYS > BK_SEARCH_NEAR_DAYS;
        if (s->pass == 0 && wider && near_to < s->policy.horizon_end && start_pass1(s)) return;
        if (!start_pass2(s)) answer(s, PROV_OK, &s->first, &s->first_best, true);
        return;
    }
    answer(s, PROV_OK, &s->slots, &best, s->pass_failed);
}

static void on_openings(prov_status_t status, const prov_opening_t *openings, size_t count, void *data)
{
    read_t *rd = data;
    search_t *s = rd->search;
    s->pending--;
    if (!s->answered && rd->pass == s->pass) {
        cand_t *c = &s->cands[rd->cand];
        if (status == PROV_OK && room_for(s, count)) {
            s->pass_any_ok = true;
            size_t first = s->slots.len;
            append_run(s, c, openings, count);
            set_idle_from_blocks(s->slots.v + first, count);
            if (count > 0) s->run_ends[s->n_runs++] = s->slots.len;
        } else {
            s->pass_failed = true;
            if (!s->pass_any_ok) s->failure = status != PROV_OK ? status : PROV_UNAVAILABLE;
        }
        if (--s->pass_pending == 0 && !s->starting) pass_done(s);
    }
    maybe_free(s);
}

/* The budget passed: answer with what has arrived. */
static void on_budget(uv_timer_t *t)
{
    search_t *s = t->data;
    if (s->answered) return;
    bk_best_result_t best;
    if (s->pass > 0 && s->have_first) answer(s, PROV_OK, &s->first, &s->first_best, true);
    else if (!s->pass_any_ok) answer(s, PROV_TIMEOUT, NULL, NULL, false);
    else if (!score(s, &best)) answer(s, PROV_UPSTREAM, NULL, NULL, false);
    else answer(s, PROV_OK, &s->slots, &best, true);
    maybe_free(s);
}

/* A requested time at or past the horizon aims at the same local time of day on the last bookable day (or just
 * before the horizon), so the answer is that day's best slot, read in one short pass. */
static void aim_within_horizon(search_t *s)
{
    if (s->requested < s->policy.horizon_end || s->policy.horizon_end == INT64_MAX) return;
    s->past_horizon = true;
    tz_civil_t wanted, last;
    tz_to_local(s->policy_zone, s->requested, &wanted, NULL);
    tz_to_local(s->policy_zone, s->policy.horizon_end - 1, &last, NULL);
    last.hour = wanted.hour, last.minute = wanted.minute, last.second = 0, last.millisecond = 0;
    tz_instant_t aim;
    if (tz_from_local(s->policy_zone, &last, TZ_OVERLAP_FIRST, &aim, NULL) != 0 || aim >= s->policy.horizon_end)
        aim = s->policy.horizon_end - 1;
    s->requested = aim;
}

int bk_best_search(bk_env_t *env, const bk_search_request_t *req, bk_search_cb cb, void *data)
{
    const bk_catalog_t *c = req->catalog;
    if (req->n_candidates == 0 || req->n_candidates > BK_SEARCH_MAX_CANDIDATES ||
        req->treatment >= c->treatment_count)
        return -1;
    search_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    const bk_catalog_treatment_t *t = &c->treatments[req->treatment];
    s->env = env;
    s->tenant = req->tenant;
    s->treatment = req->treatment;
    s->treatment_id = req->treatment_id;
    s->duration_min = t->duration_minutes;
    s->now = req->now;
    s->requested = req->requested;
    s->staff = req->staff;
    s->location = req->location;
    s->part = req->part;
    s->last_seen_staff = req->last_seen_staff;
    s->failure = PROV_UNAVAILABLE;
    s->cb = cb;
    s->data = data;
    bk_slots_init(&s->slots, NULL, 0);
    bk_slots_init(&s->first, NULL, 0);
    s->shortest_min = t->duration_minutes;
    for (size_t i = 0; i < c->treatment_count; i++)
        if (c->treatments[i].duration_minutes > 0 && c->treatments[i].duration_minutes < s->shortest_min)
            s->shortest_min = c->treatments[i].duration_minutes;
    const bk_location_t *home = bk_tenant_default_location(req->tenant, c);
    s->policy_zone = home != NULL && home->time_zone != NULL ? tz_zone_load(home->time_zone) : NULL;
    if (s->policy_zone == NULL) s->policy_zone = tz_zone_load("UTC");
    int days = req->tenant->policy.max_days_ahead;
    days = days < 1 ? 1 : days > 730 ? 730 : days;
    if (s->treatment_id == NULL || s->policy_zone == NULL ||
        bk_policy_init(&s->policy, s->policy_zone, s->now, req->tenant->policy.min_notice_minutes, days) != BK_OK)
        goto fail;
    for (size_t i = 0; i < req->n_candidates; i++) {
        if (req->candidates[i].staff >= c->staff_count || req->candidates[i].location >= c->location_count) continue;
        const bk_location_t *l = &c->locations[req->candidates[i].location];
        const tz_zone_t *zone = l->time_zone != NULL ? tz_zone_load(l->time_zone) : NULL;
        if (zone == NULL) continue;
        const bk_search_candidate_t *rc = &req->candidates[i];
        if (rc->staff_id == NULL || rc->location_id == NULL || rc->time_zone == NULL) goto fail;
        cand_t *cd = &s->cands[s->n_cands++];
        *cd = (cand_t){.staff = rc->staff, .location = rc->location, .zone = zone, .staff_id = rc->staff_id,
                       .location_id = rc->location_id, .time_zone = rc->time_zone};
        tz_offset_span_init(&cd->offsets, zone);
    }
    if (s->n_cands == 0) goto fail;
    aim_within_horizon(s);
    s->chunks = (days + BK_SEARCH_CHUNK_DAYS - 1) / BK_SEARCH_CHUNK_DAYS;
    if ((size_t)s->chunks * s->n_cands > BK_SEARCH_MAX_PARTS) s->chunks = (int)(BK_SEARCH_MAX_PARTS / s->n_cands);
    s->reads = calloc(s->n_cands * (2 + (size_t)s->chunks), sizeof(*s->reads));
    s->run_ends = calloc(s->n_cands * (2 + (size_t)s->chunks), sizeof(*s->run_ends));
    if (s->reads == NULL || s->run_ends == NULL) goto fail;

    /* Pass 0: the local day before the target's and the BK_SEARCH_NEAR_DAYS from it, within the horizon. */
    s->target = s->requested > s->policy.earliest ? s->requested : s->policy.earliest;
    set_window(s, BK_SEARCH_NEAR_DAYS);

    s->starting = true;
    size_t started;
    if (s->win_from < s->win_to) {
        s->pass = 0;
        started = start_reads(s, 0, s->win_from, s->win_to);
    } else { /* the target lies beyond the horizon: only the whole horizon can say */
        started = start_pass2(s) ? 1 : 0;
    }
    s->starting = false;
    if (started == 0) goto fail; /* nothing started, so nothing called back */
    if (req->budget_ms > 0 && uv_timer_init(env->prov.loop, &s->timer) == 0) {
        s->timer.data = s;
        s->timer_open = true;
        uv_timer_start(&s->timer, on_budget, (uint64_t)req->budget_ms, 0);
    }
    if (s->pass_pending == 0) pass_done(s); /* every read answered while starting */
    maybe_free(s);
    return 0;
fail:
    search_free(s);
    return -1;
}
