/* providers/sandbox.c: the built-in `sandbox` EMR: a clinic from a file (or the built-in demo) kept in Redis
 * under fd:{t}:sandbox:*, answering through the same interface as a real EMR.
 *
 * At start the clinic file is parsed and validated (a bad file refuses to start). Each time a worker's Redis
 * connection comes up, a Lua script seeds the tenant's sandbox keys unless they already hold the same file
 * (compared by SHA-256), so seeding twice changes nothing, a changed file replaces the tenant's sandbox data,
 * and a Redis that lost its data is filled again without a restart of frontdesk. Once a worker saw the tenant
 * seeded, it remembers so (store_remember) until the digest key changes or Redis may have lost data, and its
 * reads skip the check: the catalog needs no round trip, an availability read is one ZRANGEBYSCORE instead of
 * the script. */
#include "providers/provider.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/slots.h"
#include "providers/once_timer.h"
#include "providers/sandbox_clinic.h"
#include "providers/sandbox_records.h"
#include "providers/sandbox_shared.h"
#include "store/script.h"

#define CLINIC_FILE_MAX_BYTES (16u << 20)

/* One tenant's sandbox: its id and the clinic parse it shares with every tenant on the same file. */
typedef struct sandbox {
    char *tenant_id;
    const sb_shared_t *shared;
    const sb_clinic_t *clinic;    /* shared->clinic */
    const sb_busy_list_t *booked; /* shared->booked */
    bool no_write;                /* settings "writes": false: a clinic that takes booking requests only */
    char fact[128];               /* the seed digest's key, remembered (store_remember) holding this file's digest */
    char busy_key[SB_RECORD_KEY_CAP]; /* the API bookings' busy set; a practitioner's is busy_key:<staff> */
} sandbox_t;

/* KEYS: digest, clinic, catalog cache, then the record keys (sandbox_records.h: patients, index, appointments,
 * busy, seq). ARGV: digest, the clinic JSON or "", and for an availability read a practitioner id, from, to (UTC
 * ms; "" otherwise). The digest key holds "<digest>:by-staff" once the API's bookings are indexed per
 * practitioner; a plain "<digest>" (older versions) is indexed here once. A changed file replaces the clinic and
 * drops the records made through the API; it needs the JSON: without it the answer is {-1} and nothing changes.
 * Returns {1 when it (re)seeded else 0, then start, end pairs of the practitioner's booked API appointments}. */
static store_script_t seed_script = STORE_SCRIPT("local out = {0} "
                                  "local have, want = redis.call('GET', KEYS[1]), ARGV[1] .. ':by-staff' "
                                  "if have == ARGV[1] then "
                                  SB_RECORDS_INDEX_LUA
                                  "redis.call('SET', KEYS[1], want) have = want end "
                                  "if have ~= want then "
                                  "if ARGV[2] == '' then return {-1} end "
                                  "redis.call('SET', KEYS[2], ARGV[2]) "
                                  "redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]) "
                                  /* a changed clinic makes every cached day of this tenant stale */
                                  "local prefix = string.sub(KEYS[1], 1, #KEYS[1] - #'sandbox:digest') "
                                  "for _, match in ipairs({prefix .. 'avail*', KEYS[7] .. ':*'}) do "
                                  "local cursor = '0' repeat "
                                  "local page = redis.call('SCAN', cursor, 'MATCH', match, 'COUNT', 1000) "
                                  "cursor = page[1] for _, k in ipairs(page[2]) do redis.call('DEL', k) end "
                                  "until cursor == '0' end "
                                  "redis.call('SET', KEYS[1], want) "
                                  "out[1] = 1 end "
                                  "if ARGV[3] == '' then return out end "
                                  SB_RECORDS_BUSY_LUA
                                  "return out");

static void key_of(const sandbox_t *s, const char *suffix, char *buf, size_t cap)
{
    snprintf(buf, cap, "fd:{%s}:%s", s->tenant_id, suffix);
}

static char *read_file(const char *path, size_t *len, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, why_cap, "clinic_file: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(CLINIC_FILE_MAX_BYTES + 1);
    size_t n = buf != NULL ? fread(buf, 1, CLINIC_FILE_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (buf == NULL || n > CLINIC_FILE_MAX_BYTES) {
        snprintf(why, why_cap, "clinic_file: %s is larger than 16 MiB", path);
        free(buf);
        return NULL;
    }
    char *fit = realloc(buf, n + 1); /* the 16 MiB read buffer, down to the file */
    *len = n;
    return fit != NULL ? fit : buf;
}

/* Writes the file's warnings (bookings outside hours, treatments nobody offers...) as JSON log lines at start.
 * Messages name JSON paths and ids, never a patient's details. */
static void log_warnings(const char *tenant_id, const sb_diag_t *diag)
{
    for (size_t i = 0; i < sb_diag_count(diag); i++) {
        if (sb_diag_severity(diag, i) != SB_WARNING) continue;
        json_object *line = json_object_new_object();
        json_object_object_add(line, "level", json_object_new_string("warn"));
        json_object_object_add(line, "msg", json_object_new_string("sandbox clinic file"));
        json_object_object_add(line, "tenant", json_object_new_string(tenant_id));
        json_object_object_add(line, "warning", json_object_new_string(sb_diag_message(diag, i)));
        fprintf(stderr, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
        json_object_put(line);
    }
}

static void sandbox_destroy(void *instance)
{
    sandbox_t *s = instance;
    if (s == NULL) return;
    sb_shared_release(s->shared);
    free(s->tenant_id);
    free(s);
}

static void *sandbox_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why,
                            size_t why_cap)
{
    sandbox_t *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->tenant_id = strdup(tenant_id)) == NULL) goto oom;
    const char *file = NULL;
    if (settings != NULL) {
        json_object_object_foreach(settings, key, val)
        {
            if (strcmp(key, "writes") == 0) {
                if (!json_object_is_type(val, json_type_boolean)) {
                    snprintf(why, why_cap, "writes: must be true or false");
                    goto fail;
                }
                s->no_write = !json_object_get_boolean(val);
                continue;
            }
            if (strcmp(key, "clinic_file") != 0) {
                snprintf(why, why_cap, "%s: unknown field (the sandbox knows clinic_file and writes)", key);
                goto fail;
            }
            if (!json_object_is_type(val, json_type_string) || json_object_get_string_len(val) == 0) {
                snprintf(why, why_cap, "clinic_file: must be the path of a clinic JSON file");
                goto fail;
            }
            file = json_object_get_string(val);
        }
    }
    if (file != NULL) {
        char path[4096];
        if (file[0] == '/') snprintf(path, sizeof(path), "%s", file);
        else snprintf(path, sizeof(path), "%s/%s", config_dir, file);
        size_t len = 0;
        char *json = read_file(path, &len, why, why_cap);
        if (json == NULL) goto fail;
        s->shared = sb_shared_acquire(json, len, why, why_cap);
    } else {
        s->shared = sb_shared_demo(why, why_cap);
    }
    if (s->shared == NULL) goto fail;
    s->clinic = s->shared->clinic;
    s->booked = s->shared->booked;
    key_of(s, "sandbox:digest", s->fact, sizeof(s->fact));
    char records[SB_RECORD_KEYS][SB_RECORD_KEY_CAP];
    sb_records_keys(tenant_id, records);
    memcpy(s->busy_key, records[3], sizeof(s->busy_key));
    log_warnings(tenant_id, s->shared->diag);
    return s;

oom:
    snprintf(why, why_cap, "out of memory");
fail:
    sandbox_destroy(s);
    return NULL;
}

static int sandbox_knows_location(void *instance, const char *location_id)
{
    sandbox_t *s = instance;
    return sb_clinic_find_location(s->clinic, location_id) >= 0;
}

/* The clinic file's policy: notice and horizon (slot step, start rule and buffers shape the openings). */
static void sandbox_policy_defaults(void *instance, bk_tenant_policy_t *policy)
{
    const sandbox_t *s = instance;
    policy->min_notice_minutes = s->clinic->policy.min_notice_minutes;
    policy->max_days_ahead = s->clinic->policy.max_days_ahead;
    policy->hold_seconds = s->clinic->policy.hold_seconds;
    policy->slot_step_minutes = s->clinic->policy.slot_step_minutes;
    policy->buffer_minutes = s->clinic->policy.buffer_after_minutes;
}

/* One seed call; it runs again with the clinic JSON when Redis does not hold this file yet. */
typedef struct seed_call {
    sandbox_t *sandbox;
    store_t *store;
    char staff[SB_ID_MAX + 1];
    int64_t from, to;
    bool with_json;
    uint64_t checked_at; /* store_facts_epoch when the script was sent */
    store_reply_cb cb;
    void *data;
} seed_call_t;

static int send_seed(seed_call_t *call);

static void on_seed_reply(const redisReply *reply, void *data)
{
    seed_call_t *call = data;
    bool answered = reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
                    reply->element[0]->type == REDIS_REPLY_INTEGER;
    bool wants_json = answered && reply->elements == 1 && reply->element[0]->integer == -1;
    if (wants_json && !call->with_json) {
        call->with_json = true;
        if (send_seed(call) == 0) return;
        reply = NULL;
    }
    if (answered && !wants_json) /* Redis holds this file's data now */
        store_remember(call->store, call->sandbox->fact, call->sandbox->shared->digest, call->checked_at);
    if (call->cb != NULL) call->cb(wants_json ? NULL : reply, call->data);
    free(call);
}

static int send_seed(seed_call_t *call)
{
    const sandbox_t *s = call->sandbox;
    char digest_key[128], clinic_key[128], catalog_key[128], records[SB_RECORD_KEYS][SB_RECORD_KEY_CAP];
    char a[24] = "", b[24] = "";
    key_of(s, "sandbox:digest", digest_key, sizeof(digest_key));
    key_of(s, "sandbox:clinic", clinic_key, sizeof(clinic_key));
    key_of(s, "catalog", catalog_key, sizeof(catalog_key));
    sb_records_keys(s->tenant_id, records);
    if (call->staff[0] != '\0') {
        snprintf(a, sizeof(a), "%lld", (long long)call->from);
        snprintf(b, sizeof(b), "%lld", (long long)call->to);
    }
    const char *keys[] = {digest_key, clinic_key, catalog_key, records[0], records[1], records[2], records[3],
                          records[4]};
    const char *args[] = {s->shared->digest, call->with_json ? s->shared->json : "", call->staff, a, b};
    const size_t lens[] = {64, call->with_json ? s->shared->json_len : 0, strlen(call->staff), strlen(a), strlen(b)};
    call->checked_at = store_facts_epoch(call->store);
    return store_eval(call->store, &seed_script, on_seed_reply, call, 8, keys, 5, args, lens);
}

/* staff NULL: the seed check alone; else also the practitioner's API bookings overlapping [from, to). The clinic
 * JSON goes to Redis only when Redis lacks it: a second round trip then, once per file and Redis. */
static int run_seed(sandbox_t *s, store_t *store, const char *staff, int64_t from, int64_t to, store_reply_cb cb,
                    void *data)
{
    seed_call_t *call = calloc(1, sizeof(*call));
    if (call == NULL || (staff != NULL && strlen(staff) > SB_ID_MAX)) {
        free(call);
        return -1;
    }
    *call = (seed_call_t){.sandbox = s, .store = store, .from = from, .to = to, .cb = cb, .data = data};
    snprintf(call->staff, sizeof(call->staff), "%s", staff != NULL ? staff : "");
    if (send_seed(call) != 0) {
        free(call);
        return -1;
    }
    return 0;
}

static void sandbox_on_store_connected(void *instance, prov_env_t *env)
{
    run_seed(instance, env->store, NULL, 0, 0, NULL, NULL);
}

/* ---- catalog ---------------------------------------------------------------------------------------------- */

static int push_all(bk_strings_t *list, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!bk_strings_contains(list, items[i]) && bk_strings_push(list, items[i]) != 0) return -1;
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* Builds the normalized catalog from the clinic (caller owns). */
static bk_catalog_t *catalog_of(const sb_clinic_t *c)
{
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) return NULL;
    cat->locations = calloc(c->location_count + 1, sizeof(*cat->locations));
    cat->staff = calloc(c->practitioner_count + 1, sizeof(*cat->staff));
    cat->treatments = calloc(c->treatment_count + 1, sizeof(*cat->treatments));
    if (cat->locations == NULL || cat->staff == NULL || cat->treatments == NULL) goto fail;
    for (size_t i = 0; i < c->location_count; i++, cat->location_count++) {
        const sb_location_t *l = &c->locations[i];
        bk_location_t *o = &cat->locations[i];
        o->id = strdup(l->id);
        o->name = dup_or_null(l->name);
        o->line1 = dup_or_null(l->address.line1);
        o->city = dup_or_null(l->address.city);
        o->region = dup_or_null(l->address.region);
        o->postal_code = dup_or_null(l->address.postal_code);
        o->country = dup_or_null(l->address.country);
        o->phone = dup_or_null(l->phone);
        o->time_zone = dup_or_null(l->time_zone);
        o->booking_url = dup_or_null(l->booking_url);
        if (o->id == NULL) goto fail;
    }
    for (size_t i = 0; i < c->practitioner_count; i++, cat->staff_count++) {
        const sb_practitioner_t *p = &c->practitioners[i];
        bk_staff_t *o = &cat->staff[i];
        o->id = strdup(p->id);
        o->first_name = strdup(p->first_name);
        o->last_name = strdup(p->last_name);
        o->title = dup_or_null(p->title);
        o->email = dup_or_null(p->email);
        o->ai_enabled = p->ai_enabled;
        if (o->id == NULL || o->first_name == NULL || o->last_name == NULL) goto fail;
        if (push_all(&o->disciplines, (const char *const *)p->disciplines, p->discipline_count) != 0) goto fail;
        if (push_all(&o->treatment_ids, (const char *const *)p->treatment_ids, p->treatment_count) != 0) goto fail;
        for (size_t k = 0; k < p->schedule_count; k++)
            if (push_all(&o->location_ids, (const char *const *)&c->locations[p->schedules[k].location].id, 1) != 0)
                goto fail;
    }
    for (size_t i = 0; i < c->treatment_count; i++, cat->treatment_count++) {
        const sb_treatment_t *t = &c->treatments[i];
        bk_catalog_treatment_t *o = &cat->treatments[i];
        o->id = strdup(t->id);
        o->name = strdup(t->name);
        if (o->id == NULL || o->name == NULL) goto fail;
        o->duration_minutes = t->duration_minutes;
        o->price_minor = t->price_minor;
        snprintf(o->currency, sizeof(o->currency), "%s", t->currency);
        if (push_all(&o->staff_ids, (const char *const *)t->practitioner_ids, t->practitioner_count) != 0) goto fail;
        if (push_all(&o->location_ids, (const char *const *)t->location_ids, t->location_count) != 0) goto fail;
    }
    return cat;

fail:
    bk_catalog_free(cat);
    return NULL;
}

typedef struct catalog_fetch {
    sandbox_t *sandbox;
    prov_catalog_cb cb;
    void *data;
} catalog_fetch_t;

static void answer_catalog(catalog_fetch_t *f, bool seeded)
{
    if (!seeded) {
        f->cb(PROV_UNAVAILABLE, NULL, f->data);
    } else {
        bk_catalog_t *catalog = catalog_of(f->sandbox->clinic);
        f->cb(catalog != NULL ? PROV_OK : PROV_UNAVAILABLE, catalog, f->data);
    }
    free(f);
}

static void on_seeded(const redisReply *reply, void *data)
{
    answer_catalog(data, reply != NULL && reply->type != REDIS_REPLY_ERROR);
}

static void on_known_seeded(void *data)
{
    answer_catalog(data, true);
}

/* A fetch first runs the seed script (a no-op when Redis already holds this file's digest), so the answer is
 * always the clinic that Redis holds; it is built from the validated parse of those same bytes. */
static int sandbox_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    catalog_fetch_t *f = malloc(sizeof(*f));
    if (f == NULL) return -1;
    *f = (catalog_fetch_t){.sandbox = instance, .cb = cb, .data = data};
    const sandbox_t *s = instance;
    if (store_recalls(env->store, s->fact, s->shared->digest) &&
        prov_once_timer_start(env->loop, 0, on_known_seeded, f) != NULL)
        return 0;
    if (run_seed(instance, env->store, NULL, 0, 0, on_seeded, f) != 0) {
        free(f);
        return -1;
    }
    return 0;
}

/* ---- availability ----------------------------------------------------------------------------------------- */

#define DAY_BUSY_MAX (SB_DAY_MAX_BUSY + 512)

static bool offers(const sb_clinic_t *c, size_t p, size_t t, size_t l)
{
    const sb_treatment_t *tr = &c->treatments[t];
    bool by_staff = false, at_location = false;
    for (size_t i = 0; i < tr->practitioner_count; i++) by_staff |= tr->practitioners[i] == p;
    for (size_t i = 0; i < tr->location_count; i++) at_location |= tr->locations[i] == l;
    return by_staff && at_location && sb_clinic_schedule_of(c, p, l) >= 0;
}

/* Appends the openings of one local date to out. */
static int day_openings(const sandbox_t *s, size_t p, size_t t, size_t l, int y, int m, int d,
                        const bk_interval_t *api_booked, size_t n_api, bk_slots_t *out)
{
    const sb_clinic_t *c = s->clinic;
    const sb_location_t *loc = &c->locations[l];
    sb_interval_t hours[SB_DAY_MAX_INTERVALS], generated[SB_DAY_MAX_BUSY];
    int n_hours = sb_clinic_day_hours(c, p, l, y, m, d, hours, SB_DAY_MAX_INTERVALS);
    if (n_hours <= 0) return n_hours;
    int n_gen = sb_clinic_generated_busy(c, p, l, y, m, d, generated, SB_DAY_MAX_BUSY);
    if (n_gen < 0) return -1;

    bk_interval_t busy[DAY_BUSY_MAX];
    size_t n_busy = 0;
    for (int i = 0; i < n_gen; i++) {
        tz_civil_t a = {y, m, d, generated[i].start / 60, generated[i].start % 60, 0, 0};
        tz_civil_t b = {y, m, d, generated[i].end / 60, generated[i].end % 60, 0, 0};
        tz_instant_t start, end;
        if (generated[i].end == 1440) {
            int64_t next = tz_days_from_civil(y, m, d) + 1;
            tz_civil_from_days(next, &b.year, &b.month, &b.day);
            b.hour = 0;
        }
        if (tz_from_local(loc->zone, &a, TZ_OVERLAP_FIRST, &start, NULL) != 0 ||
            tz_from_local(loc->zone, &b, TZ_OVERLAP_SECOND, &end, NULL) != 0)
            continue;
        busy[n_busy++] = (bk_interval_t){start, end};
    }
    /* The file's bookings that touch this date (with a day of slack either side for buffers). */
    tz_instant_t day_start;
    if (tz_day_start(loc->zone, y, m, d, &day_start) != 0) return -1;
    int64_t lo = day_start - TZ_MS_PER_DAY, hi = day_start + 2 * TZ_MS_PER_DAY;
    const sb_busy_list_t *booked = &s->booked[p];
    for (size_t i = 0; i < booked->n && n_busy < DAY_BUSY_MAX; i++)
        if (booked->v[i].end > lo && booked->v[i].start < hi) busy[n_busy++] = booked->v[i];
    /* ... and the bookings made through the API (sandbox_records.h). */
    for (size_t i = 0; i < n_api && n_busy < DAY_BUSY_MAX; i++)
        if (api_booked[i].end > lo && api_booked[i].start < hi) busy[n_busy++] = api_booked[i];
    bk_intervals_sort(busy, n_busy);

    bk_local_range_t ranges[SB_DAY_MAX_INTERVALS];
    for (int i = 0; i < n_hours; i++) ranges[i] = (bk_local_range_t){hours[i].start, hours[i].end};
    bk_day_t day = {.zone = loc->zone, .year = y, .month = m, .day = d, .staff = (uint32_t)p,
                    .location = (uint32_t)l, .hours = ranges, .n_hours = (size_t)n_hours, .busy = busy,
                    .n_busy = n_busy};
    const sb_policy_t *pol = &c->policy;
    bk_treatment_t treatment = {.id = (uint32_t)t, .duration_min = c->treatments[t].duration_minutes,
                                .buffer_before_min = pol->buffer_before_minutes,
                                .buffer_after_min = pol->buffer_after_minutes};
    bk_start_rule_t rule = {.kind = pol->start_rule == SB_START_BACK_TO_BACK ? BK_START_BACK_TO_BACK : BK_START_EVERY_N,
                            .step_min = pol->slot_step_minutes};
    /* The EMR offers what its calendar allows; notice and horizon are the booking layer's job. */
    bk_policy_t open = {.now = INT64_MIN, .earliest = INT64_MIN, .horizon_end = INT64_MAX};
    return bk_slots_generate(&day, &treatment, &rule, &open, out) == BK_OK ? 0 : -1;
}

typedef struct availability_fetch {
    sandbox_t *sandbox;
    long p, t, l;
    int64_t from; /* the asked dates' start less a day: API bookings ending after it count */
    int year, month, day, days;
    prov_availability_cb cb;
    void *data;
} availability_fetch_t;

/* Answers with the openings over the asked dates, the API's bookings api[0..n_api) taken out, then frees f. */
static void answer_openings(availability_fetch_t *f, bk_interval_t *api, size_t n_api);

static void on_seeded_for_availability(const redisReply *reply, void *data)
{
    availability_fetch_t *f = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || reply->elements % 2 != 1) {
        f->cb(PROV_UNAVAILABLE, NULL, 0, f->data);
        free(f);
        return;
    }
    /* The API's bookings of this practitioner over the asked dates, from the same round trip. */
    size_t n_api = 0;
    bk_interval_t *api = malloc((reply->elements / 2 + 1) * sizeof(*api));
    if (api == NULL) {
        f->cb(PROV_UNAVAILABLE, NULL, 0, f->data);
        free(f);
        return;
    }
    for (size_t i = 1; i + 1 < reply->elements; i += 2) {
        const redisReply *a = reply->element[i], *b = reply->element[i + 1];
        if (a->type != REDIS_REPLY_STRING || b->type != REDIS_REPLY_STRING) continue;
        api[n_api++] = (bk_interval_t){strtoll(a->str, NULL, 10), strtoll(b->str, NULL, 10)};
    }
    answer_openings(f, api, n_api);
}

/* The practitioner's busy set read directly (the tenant known seeded): members "<end ms>:<id>" with their start
 * as score, kept when they end after f->from, as SB_RECORDS_BUSY_LUA does in the seed script. */
static void on_busy_read(const redisReply *reply, void *data)
{
    availability_fetch_t *f = data;
    bk_interval_t *api = NULL;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 != 0 ||
        (api = malloc((reply->elements / 2 + 1) * sizeof(*api))) == NULL) {
        f->cb(PROV_UNAVAILABLE, NULL, 0, f->data);
        free(f);
        return;
    }
    size_t n_api = 0;
    for (size_t i = 0; i + 1 < reply->elements; i += 2) {
        const redisReply *member = reply->element[i], *score = reply->element[i + 1];
        if (member->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING) continue;
        char *colon = NULL;
        long long stop = strtoll(member->str, &colon, 10);
        if (colon == member->str || *colon != ':' || stop <= f->from) continue;
        api[n_api++] = (bk_interval_t){strtoll(score->str, NULL, 10), stop};
    }
    answer_openings(f, api, n_api);
}

static void answer_openings(availability_fetch_t *f, bk_interval_t *api, size_t n_api)
{
    bk_intervals_sort(api, n_api);
    bk_slots_t slots;
    bk_slots_init(&slots, NULL, 0);
    prov_status_t status = PROV_OK;
    if (f->p >= 0 && f->t >= 0 && f->l >= 0 && offers(f->sandbox->clinic, (size_t)f->p, (size_t)f->t, (size_t)f->l)) {
        int64_t first = tz_days_from_civil(f->year, f->month, f->day);
        for (int i = 0; i < f->days && status == PROV_OK; i++) {
            int y, m, d;
            tz_civil_from_days(first + i, &y, &m, &d);
            if (day_openings(f->sandbox, (size_t)f->p, (size_t)f->t, (size_t)f->l, y, m, d, api, n_api, &slots) < 0)
                status = PROV_UPSTREAM;
        }
    }
    free(api);
    prov_opening_t *openings = malloc((slots.len ? slots.len : 1) * sizeof(*openings));
    if (openings == NULL) status = PROV_UNAVAILABLE;
    size_t n = 0;
    if (status == PROV_OK)
        for (size_t i = 0; i < slots.len; i++) openings[n++] = (prov_opening_t){slots.v[i].start, slots.v[i].end};
    f->cb(status, status == PROV_OK ? openings : NULL, n, f->data);
    free(openings);
    bk_slots_free(&slots);
    free(f);
}

/* Openings come from the clinic's weekly hours, overrides, closures, the file's bookings and the generated
 * ones, after the same seed check as the catalog (one Redis round trip, as a real EMR call would take). */
static int sandbox_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                                      prov_availability_cb cb, void *data)
{
    sandbox_t *s = instance;
    if (q->days < 1 || q->days > 62) return -1;
    availability_fetch_t *f = malloc(sizeof(*f));
    if (f == NULL) return -1;
    *f = (availability_fetch_t){.sandbox = s,
                                .p = sb_clinic_find_practitioner(s->clinic, q->staff_id),
                                .t = sb_clinic_find_treatment(s->clinic, q->treatment_id),
                                .l = sb_clinic_find_location(s->clinic, q->location_id),
                                .year = q->year, .month = q->month, .day = q->day, .days = q->days,
                                .cb = cb, .data = data};
    /* The asked dates with a day of slack either side (buffers, zones). */
    int64_t from = 0, to = 0;
    const char *staff = NULL;
    if (f->p >= 0 && f->l >= 0) {
        const tz_zone_t *zone = s->clinic->locations[f->l].zone;
        int64_t first = tz_days_from_civil(q->year, q->month, q->day);
        int y, m, d;
        tz_civil_from_days(first + q->days, &y, &m, &d);
        if (tz_day_start(zone, q->year, q->month, q->day, &from) == 0 && tz_day_start(zone, y, m, d, &to) == 0) {
            from -= TZ_MS_PER_DAY;
            to += TZ_MS_PER_DAY;
            staff = s->clinic->practitioners[f->p].id;
        }
    }
    f->from = from;
    if (staff != NULL && store_recalls(env->store, s->fact, s->shared->digest)) {
        char key[SB_RECORD_KEY_CAP + SB_ID_MAX + 2], lo[24], hi[24];
        snprintf(key, sizeof(key), "%s:%s", s->busy_key, staff);
        snprintf(lo, sizeof(lo), "%lld", (long long)(from - SB_APPT_MAX_MS));
        snprintf(hi, sizeof(hi), "(%lld", (long long)to);
        const char *argv[] = {"ZRANGEBYSCORE", key, lo, hi, "WITHSCORES"};
        const size_t lens[] = {13, strlen(key), strlen(lo), strlen(hi), 10};
        if (store_command(env->store, on_busy_read, f, 5, argv, lens) == 0) return 0;
    }
    if (run_seed(s, env->store, staff, from, to, on_seeded_for_availability, f) != 0) {
        free(f);
        return -1;
    }
    return 0;
}

/* ---- patients and appointments (providers/sandbox_records.c) -------------------------------------------- */

static int sandbox_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *query,
                                 prov_patients_cb cb, void *data)
{
    const sandbox_t *s = instance;
    return sb_records_find_patients(s->tenant_id, s->clinic, env, query, cb, data);
}

static int sandbox_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                                  void *data)
{
    const sandbox_t *s = instance;
    return sb_records_create_patient(s->tenant_id, s->clinic, env, patient, cb, data);
}

static int sandbox_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                                     prov_appointments_cb cb, void *data)
{
    const sandbox_t *s = instance;
    return sb_records_list_appointments(s->tenant_id, s->clinic, env, patient_id, from, cb, data);
}

static int sandbox_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *appointment,
                                      prov_appointment_cb cb, void *data)
{
    const sandbox_t *s = instance;
    return sb_records_create_appointment(s->tenant_id, s->clinic, env, appointment, cb, data);
}

static int sandbox_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id,
                                      const char *reason, prov_appointment_cb cb, void *data)
{
    const sandbox_t *s = instance;
    return sb_records_cancel(s->tenant_id, s->clinic, env, appointment_id, reason, cb, data);
}

static int sandbox_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id,
                                          int64_t start, int64_t end, const char *staff_id, prov_appointment_cb cb,
                                          void *data)
{
    const sandbox_t *s = instance;
    return sb_records_reschedule(s->tenant_id, s->clinic, env, appointment_id, start, end, staff_id, cb, data);
}

static unsigned sandbox_capabilities(void *instance)
{
    const sandbox_t *s = instance;
    return PROV_CAP_PHONE_SEARCH | PROV_CAP_NATIVE_RESCHEDULE | (s->no_write ? PROV_CAP_NO_WRITE : 0u);
}

const prov_ops_t prov_sandbox_ops = {
    .name = "sandbox",
    .capabilities = PROV_CAP_PHONE_SEARCH | PROV_CAP_NATIVE_RESCHEDULE,
    .create = sandbox_create,
    .destroy = sandbox_destroy,
    .knows_location = sandbox_knows_location,
    .policy_defaults = sandbox_policy_defaults,
    .on_store_connected = sandbox_on_store_connected,
    .fetch_catalog = sandbox_fetch_catalog,
    .fetch_availability = sandbox_fetch_availability,
    .find_patients = sandbox_find_patients,
    .create_patient = sandbox_create_patient,
    .list_appointments = sandbox_list_appointments,
    .create_appointment = sandbox_create_appointment,
    .cancel_appointment = sandbox_cancel_appointment,
    .reschedule_appointment = sandbox_reschedule_appointment,
    .live_capabilities = sandbox_capabilities,
};
