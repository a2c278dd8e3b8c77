/* booking/availability.c: per-day cached availability (see availability.h). */
#include "booking/availability.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/fill_lock.h"
#include "booking/holds.h"
#include "store/script.h"
#include "tz/tz.h"

#define FILL_LOCK_MS 10000
#define FILL_WAIT_MS 4000
#define MAX_OPENINGS_PER_DAY 2000

typedef struct day {
    int year, month, day;
    bool cached;
    prov_opening_t *openings;
    size_t count;
} day_t;

typedef struct flow {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    char *staff_id, *treatment_id, *location_id, *time_zone;
    int duration_minutes;
    int64_t from, to, now;
    day_t days[BK_AVAIL_MAX_DAYS];
    int day_count;
    int first_missing, last_missing;
    bool locked;
    uint64_t give_up_at; /* loop time after which it stops waiting for another process's refill */
    char lock_key[320];
    char key_prefix[300]; /* fd:{tenant}:avail:staff:treatment:location: */
    size_t key_prefix_len;
    bk_avail_cb cb;
    void *data;
} flow_t;

/* Writes the date as YYYY-MM-DD (10 characters, no terminator): keys are built by hand, a search makes dozens. */
static void put_date(char *out, int year, int month, int day)
{
    int parts[3] = {year, month, day}, widths[3] = {4, 2, 2};
    size_t n = 0;
    for (int p = 0; p < 3; p++) {
        for (int k = widths[p] - 1; k >= 0; k--, parts[p] /= 10) out[n + (size_t)k] = (char)('0' + parts[p] % 10);
        n += (size_t)widths[p];
        if (p < 2) out[n++] = '-';
    }
}

/* The day's cache key: the flow's key prefix, then the date. */
static void day_key(const flow_t *f, const day_t *d, char *buf, size_t cap)
{
    size_t n = f->key_prefix_len;
    if (n + 11 > cap) {
        buf[0] = '\0';
        return;
    }
    memcpy(buf, f->key_prefix, n);
    put_date(buf + n, d->year, d->month, d->day);
    buf[n + 10] = '\0';
}

static void flow_free(flow_t *f)
{
    for (int i = 0; i < f->day_count; i++) free(f->days[i].openings);
    free(f->staff_id), free(f->treatment_id), free(f->location_id), free(f->time_zone);
    bk_tenant_release(f->tenant);
    free(f);
}

static int cmp_opening(const void *a, const void *b)
{
    const prov_opening_t *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* Answers with the openings of every day cut to the window, the notice and the horizon and without those
 * overlapping a live hold (busy, sorted or not), then frees f. */
static void deliver(flow_t *f, prov_status_t status, const int64_t (*busy)[2], size_t n_busy)
{
    if (status != PROV_OK) {
        f->cb(status, NULL, 0, f->data);
        flow_free(f);
        return;
    }
    const tz_zone_t *zone = tz_zone_load(f->time_zone);
    int y, m, d;
    tz_local_date(zone, f->now, &y, &m, &d);
    int64_t today = tz_days_from_civil(y, m, d);
    int hy, hm, hd;
    tz_civil_from_days(today + f->tenant->policy.max_days_ahead, &hy, &hm, &hd);
    tz_instant_t horizon_end;
    if (tz_day_start(zone, hy, hm, hd, &horizon_end) != 0) horizon_end = INT64_MAX;
    int64_t earliest = f->now + (int64_t)f->tenant->policy.min_notice_minutes * TZ_MS_PER_MINUTE;
    int64_t lo = f->from > earliest ? f->from : earliest;

    size_t total = 0;
    for (int i = 0; i < f->day_count; i++) total += f->days[i].count;
    prov_opening_t *out = malloc((total ? total : 1) * sizeof(*out));
    if (out == NULL) {
        f->cb(PROV_UNAVAILABLE, NULL, 0, f->data);
        flow_free(f);
        return;
    }
    size_t n = 0;
    for (int i = 0; i < f->day_count; i++) {
        for (size_t k = 0; k < f->days[i].count; k++) {
            prov_opening_t o = f->days[i].openings[k];
            if (o.start < lo || o.start >= f->to || o.start >= horizon_end) continue;
            bool held = false;
            for (size_t h = 0; h < n_busy && !held; h++)
                held = bk_intervals_overlap(o.start, o.end, busy[h][0], busy[h][1]);
            if (!held) out[n++] = o;
        }
    }
    bool sorted = true; /* the days come in order and each is stored sorted: the usual case needs no sort */
    for (size_t i = 1; i < n && sorted; i++) sorted = cmp_opening(&out[i - 1], &out[i]) <= 0;
    if (!sorted) qsort(out, n, sizeof(*out), cmp_opening);
    f->cb(PROV_OK, out, n, f->data);
    free(out);
    flow_free(f);
}

static void on_holds(bool ok, const int64_t (*busy)[2], size_t count, void *data)
{
    flow_t *f = data;
    deliver(f, ok ? PROV_OK : PROV_UNAVAILABLE, busy, count);
}

/* The one place where availability answers leave out held time: the practitioner's live holds (booking/holds.h)
 * are read after the openings, so every route that lists slots sees the same free time. */
static void answer(flow_t *f, prov_status_t status)
{
    if (status != PROV_OK) {
        deliver(f, status, NULL, 0);
        return;
    }
    if (bk_holds_busy(f->env, f->tenant, f->staff_id, f->from, f->to, on_holds, f) != 0)
        deliver(f, PROV_UNAVAILABLE, NULL, 0);
}

/* A cached day is binary: the byte 'B', then per opening its start and end as 8-byte little-endian UTC ms.
 * Parsing is a copy, which matters: /voice/bestSlot reads a month of days for every practitioner. */
#define DAY_FORMAT 'B'
#define OPENING_BYTES 16

static void put_le64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(u >> (8 * i));
}

static int64_t get_le64(const unsigned char *p)
{
    uint64_t u;
    memcpy(&u, p, 8); /* one load where the machine is little-endian, as every cached day is written */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    u = __builtin_bswap64(u);
#endif
    return (int64_t)u;
}

static bool parse_day(const char *s, size_t len, day_t *d)
{
    if (len < 1 || s[0] != DAY_FORMAT || (len - 1) % OPENING_BYTES != 0) return false;
    size_t n = (len - 1) / OPENING_BYTES;
    if (n > MAX_OPENINGS_PER_DAY) return false;
    d->openings = malloc((n ? n : 1) * sizeof(*d->openings));
    if (d->openings == NULL) return false;
    const unsigned char *p = (const unsigned char *)s + 1;
    for (size_t i = 0; i < n; i++, p += OPENING_BYTES)
        d->openings[i] = (prov_opening_t){get_le64(p), get_le64(p + 8)};
    d->count = n;
    return true;
}

static int index_prefix(const bk_tenant_t *tenant, const char *staff_id, char *buf, size_t cap);

/* Writes days [first, last] and lists each in its practitioner-and-date index set (read by
 * bk_availability_invalidate), all with the tenant's availability TTL, in one script: atomic, so a process that
 * waited on the fill lock sees all of them or none, never a partial refill that would send it to the EMR for the
 * rest; and one command, where a SET, SADD and EXPIRE per day cost Redis and this worker a command each.
 * KEYS: the day keys, then their index sets in the same order; ARGV: the TTL, then each day's value. */
static store_script_t store_days_script = STORE_SCRIPT("local n = #KEYS / 2 for i = 1, n do "
                                                       "redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1]) "
                                                       "redis.call('SADD', KEYS[n + i], KEYS[i]) "
                                                       "redis.call('EXPIRE', KEYS[n + i], ARGV[1]) end return n");

static void store_days(flow_t *f, int first, int last)
{
    int n = last - first + 1;
    char index[320];
    int iplen = index_prefix(f->tenant, f->staff_id, index, sizeof(index));
    if (n < 1 || iplen < 0 || (size_t)iplen + 11 > sizeof(index)) return;
    size_t key_len = f->key_prefix_len + 10, index_len = (size_t)iplen + 10, values = 0;
    for (int i = first; i <= last; i++) values += 1 + f->days[i].count * OPENING_BYTES;
    /* one buffer: every day key, every index key (each with its terminator), then the values */
    char *text = malloc((size_t)n * (key_len + 1 + index_len + 1) + values);
    if (text == NULL) return;
    const char *keys[2 * BK_AVAIL_MAX_DAYS], *args[1 + BK_AVAIL_MAX_DAYS];
    size_t lens[1 + BK_AVAIL_MAX_DAYS];
    char ttl[16];
    snprintf(ttl, sizeof(ttl), "%d", f->tenant->policy.availability_ttl_seconds);
    args[0] = ttl;
    lens[0] = strlen(ttl);
    char *at = text;
    for (int i = first; i <= last; i++, at += key_len + 1) {
        day_key(f, &f->days[i], at, key_len + 1);
        keys[i - first] = at;
    }
    for (int i = first; i <= last; i++, at += index_len + 1) {
        memcpy(at, index, (size_t)iplen);
        put_date(at + iplen, f->days[i].year, f->days[i].month, f->days[i].day);
        at[index_len] = '\0';
        keys[n + i - first] = at;
    }
    for (int i = first; i <= last; i++) {
        const day_t *d = &f->days[i];
        unsigned char *v = (unsigned char *)at;
        v[0] = DAY_FORMAT;
        for (size_t k = 0; k < d->count; k++) {
            put_le64(v + 1 + k * OPENING_BYTES, d->openings[k].start);
            put_le64(v + 1 + k * OPENING_BYTES + 8, d->openings[k].end);
        }
        args[1 + i - first] = at;
        lens[1 + i - first] = 1 + d->count * OPENING_BYTES;
        at += lens[1 + i - first];
    }
    store_eval(f->env->store, &store_days_script, NULL, NULL, 2 * n, keys, 1 + n, args, lens);
    free(text);
}

static void on_provider(prov_status_t status, const prov_opening_t *openings, size_t count, void *data)
{
    flow_t *f = data;
    if (status != PROV_OK) {
        if (f->locked) bk_fill_release(f->env->store, f->lock_key);
        answer(f, status);
        return;
    }
    const tz_zone_t *zone = tz_zone_load(f->time_zone);
    for (int i = f->first_missing; i <= f->last_missing; i++) {
        day_t *d = &f->days[i];
        free(d->openings);
        d->openings = NULL;
        d->count = 0;
        tz_instant_t start, end;
        tz_day_start(zone, d->year, d->month, d->day, &start);
        int64_t next = tz_days_from_civil(d->year, d->month, d->day) + 1;
        int ny, nm, nd;
        tz_civil_from_days(next, &ny, &nm, &nd);
        tz_day_start(zone, ny, nm, nd, &end);
        size_t n = 0;
        for (size_t k = 0; k < count; k++)
            if (openings[k].start >= start && openings[k].start < end) n++;
        if (n > MAX_OPENINGS_PER_DAY) n = MAX_OPENINGS_PER_DAY;
        d->openings = malloc((n ? n : 1) * sizeof(*d->openings));
        if (d->openings == NULL) {
            if (f->locked) bk_fill_release(f->env->store, f->lock_key);
            answer(f, PROV_UNAVAILABLE);
            return;
        }
        for (size_t k = 0; k < count && d->count < n; k++)
            if (openings[k].start >= start && openings[k].start < end) d->openings[d->count++] = openings[k];
        d->cached = true;
    }
    store_days(f, f->first_missing, f->last_missing); /* then the lock goes, behind the write on the connection */
    if (f->locked) bk_fill_release(f->env->store, f->lock_key);
    answer(f, PROV_OK);
}

static void ask_provider(flow_t *f)
{
    const day_t *first = &f->days[f->first_missing];
    prov_availability_query_t q = {
        .staff_id = f->staff_id,
        .treatment_id = f->treatment_id,
        .location_id = f->location_id,
        .duration_minutes = f->duration_minutes,
        .time_zone = f->time_zone,
        .year = first->year,
        .month = first->month,
        .day = first->day,
        .days = f->last_missing - f->first_missing + 1,
    };
    const bk_tenant_t *t = f->tenant;
    if (t->provider->fetch_availability == NULL ||
        t->provider->fetch_availability(t->provider_instance, &f->env->prov, &q, on_provider, f) != 0) {
        if (f->locked) bk_fill_release(f->env->store, f->lock_key);
        answer(f, PROV_UNAVAILABLE);
    }
}

static void read_cache(flow_t *f);

static void on_turn(void *ctx, bk_fill_turn_t turn)
{
    flow_t *f = ctx;
    f->locked = turn == BK_FILL_FETCH_LOCKED;
    /* Read once more when waiting, and also right after taking the lock: the filler before us may have written
     * the days and released the lock between our miss and our lock. */
    if (turn == BK_FILL_RECHECK || f->locked) {
        read_cache(f);
        return;
    }
    ask_provider(f);
}

static void on_cached(const redisReply *reply, void *data)
{
    flow_t *f = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || (int)reply->elements != f->day_count) {
        if (f->locked) bk_fill_release(f->env->store, f->lock_key);
        answer(f, PROV_UNAVAILABLE);
        return;
    }
    f->first_missing = -1;
    for (int i = 0; i < f->day_count; i++) {
        day_t *d = &f->days[i];
        if (d->cached) continue;
        const redisReply *r = reply->element[i];
        if (r->type == REDIS_REPLY_STRING && parse_day(r->str, r->len, d)) {
            d->cached = true;
            continue;
        }
        free(d->openings);
        d->openings = NULL;
        d->count = 0;
        if (f->first_missing < 0) f->first_missing = i;
        f->last_missing = i;
    }
    if (f->first_missing < 0) {
        if (f->locked) bk_fill_release(f->env->store, f->lock_key);
        answer(f, PROV_OK);
        return;
    }
    if (f->locked) { /* the re-read after taking the lock missed too: this one fills */
        ask_provider(f);
        return;
    }
    char first[16];
    snprintf(first, sizeof(first), "%04d-%02d-%02d", f->days[f->first_missing].year,
             f->days[f->first_missing].month, f->days[f->first_missing].day);
    snprintf(f->lock_key, sizeof(f->lock_key), "fd:{%s}:avail:%s:%s:%s:%s:%d:lock", f->tenant->id, f->staff_id,
             f->treatment_id, f->location_id, first, f->last_missing - f->first_missing + 1);
    if (f->give_up_at == 0) f->give_up_at = uv_now(f->env->prov.loop) + FILL_WAIT_MS;
    if (bk_fill_acquire(f->env->store, f->env->prov.loop, f->lock_key, FILL_LOCK_MS, f->give_up_at, on_turn, f) != 0)
        ask_provider(f);
}

static void read_cache(flow_t *f)
{
    const char *argv[1 + BK_AVAIL_MAX_DAYS];
    size_t lens[1 + BK_AVAIL_MAX_DAYS];
    char keys[BK_AVAIL_MAX_DAYS][320];
    argv[0] = "MGET";
    lens[0] = 4;
    for (int i = 0; i < f->day_count; i++) {
        day_key(f, &f->days[i], keys[i], sizeof(keys[i]));
        argv[i + 1] = keys[i];
        lens[i + 1] = strlen(keys[i]);
    }
    /* Through the worker's read cache: a warm day costs no round trip. The re-reads around a refill lock are
     * asked of Redis itself, as a cached copy can lag another process's refill by the invalidation's trip. */
    store_read_cmd_t cmd = {.argc = f->day_count + 1, .argv = argv, .lens = lens, .first_key = 1,
                            .key_count = f->day_count};
    int rc = f->give_up_at == 0 ? store_command_cached(f->env->store, on_cached, f, &cmd)
                                : store_command(f->env->store, on_cached, f, f->day_count + 1, argv, lens);
    if (rc != 0) answer(f, PROV_UNAVAILABLE);
}

int bk_availability_get(bk_env_t *env, const bk_avail_query_t *q, bk_avail_cb cb, void *data)
{
    const tz_zone_t *zone = tz_zone_load(q->time_zone);
    if (zone == NULL || q->to <= q->from || !store_is_connected(env->store)) return -1;
    int y0, m0, d0, y1, m1, d1;
    tz_local_date(zone, q->from, &y0, &m0, &d0);
    tz_local_date(zone, q->to - 1, &y1, &m1, &d1);
    int64_t first = tz_days_from_civil(y0, m0, d0), last = tz_days_from_civil(y1, m1, d1);
    if (last - first + 1 > BK_AVAIL_MAX_DAYS) return -1;
    flow_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    f->env = env;
    f->tenant = q->tenant;
    bk_tenant_retain(f->tenant); /* a refill may outlive the request that asked */
    f->staff_id = strdup(q->staff_id);
    f->treatment_id = strdup(q->treatment_id);
    f->location_id = strdup(q->location_id);
    f->time_zone = strdup(q->time_zone);
    if (f->staff_id == NULL || f->treatment_id == NULL || f->location_id == NULL || f->time_zone == NULL) {
        flow_free(f);
        return -1;
    }
    int plen = snprintf(f->key_prefix, sizeof(f->key_prefix), "fd:{%s}:avail:%s:%s:%s:", q->tenant->id, q->staff_id,
                        q->treatment_id, q->location_id);
    if (plen < 0 || (size_t)plen >= sizeof(f->key_prefix) - 11) {
        flow_free(f);
        return -1;
    }
    f->key_prefix_len = (size_t)plen;
    f->duration_minutes = q->duration_minutes;
    f->from = q->from;
    f->to = q->to;
    f->now = q->now;
    f->cb = cb;
    f->data = data;
    f->day_count = (int)(last - first + 1);
    for (int i = 0; i < f->day_count; i++)
        tz_civil_from_days(first + i, &f->days[i].year, &f->days[i].month, &f->days[i].day);
    read_cache(f);
    return 0;
}

/* The index set's key without its date, "fd:{tenant}:avail-index:staff:"; returns its length (or -1). */
static int index_prefix(const bk_tenant_t *tenant, const char *staff_id, char *buf, size_t cap)
{
    return snprintf(buf, cap, "fd:{%s}:avail-index:%s:", tenant->id, staff_id);
}

void bk_availability_invalidate(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, const char *date)
{
    /* Every cached day of that practitioner and date is listed in its index set. */
    static store_script_t script = STORE_SCRIPT("for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
                                                "redis.call('DEL', k) end return redis.call('DEL', KEYS[1])");
    char key[320];
    int n = index_prefix(tenant, staff_id, key, sizeof(key));
    if (n < 0 || (size_t)n >= sizeof(key)) return;
    snprintf(key + n, sizeof(key) - (size_t)n, "%s", date);
    const char *keys[] = {key};
    store_eval(env->store, &script, NULL, NULL, 1, keys, 0, NULL, NULL);
}
