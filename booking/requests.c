/* booking/requests.c: booking requests in Redis and their events (see requests.h). */
#include "booking/requests.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/durable.h"
#include "booking/events.h"
#include "providers/record_id.h"
#include "store/script.h"
#include "tz/tz.h"

#define LEASE_MS      30000                     /* how long a claimed request stays "changing" at most */
#define KEEP_MS       (30LL * 24 * 3600 * 1000) /* a request's record outlives its deadline by this */
#define HOLD_GRACE_MS 600000                    /* as booking/holds.c: a hold's hash outlives its expiry */
#define REASON_CAP    512
#define MAX_DUE       64

/* KEYS[1] request, KEYS[2] its hold, KEYS[3] due set, KEYS[4] patient's set, KEYS[5] practitioner's hold set.
 * ARGV id, hold id, deadline (Redis' clock), keep ms, grace ms. Refuses to overwrite a request (ids are never
 * reused) or to take a hold that is gone. */
static store_script_t record_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
    "local h = redis.call('HMGET', KEYS[2], 'staff', 'treatment', 'location', 'patient', 'start', 'end', 'zone') "
    "if not h[1] then return 0 end "
    "local expires = tonumber(ARGV[3]) local keep = expires - now + tonumber(ARGV[4]) "
    "redis.call('HSET', KEYS[1], 'state', 'requested', 'hold', ARGV[2], 'staff', h[1], 'treatment', h[2], "
    "           'location', h[3], 'patient', h[4], 'start', h[5], 'end', h[6], 'zone', h[7], 'expires', ARGV[3], "
    "           'lease', '0', 'emr', '', 'reason', '') "
    "redis.call('PEXPIRE', KEYS[1], keep) "
    "redis.call('HSET', KEYS[2], 'state', 'requested', 'appt', ARGV[1], 'expires', ARGV[3]) "
    "local live = expires - now + tonumber(ARGV[5]) "
    "redis.call('PEXPIRE', KEYS[2], live) "
    "if redis.call('PTTL', KEYS[5]) < live then redis.call('PEXPIRE', KEYS[5], live) end "
    "local v = KEYS[5] .. '" BK_HOLDS_SPANS_SUFFIX "' "
    "redis.call('HSET', v, ARGV[2], h[5] .. ' ' .. h[6] .. ' ' .. ARGV[3]) "
    "if redis.call('PTTL', v) < live then redis.call('PEXPIRE', v, live) end "
    "redis.call('ZADD', KEYS[3], expires, ARGV[1]) "
    "redis.call('SADD', KEYS[4], ARGV[1]) "
    "if redis.call('PTTL', KEYS[4]) < keep then redis.call('PEXPIRE', KEYS[4], keep) end "
    "return 1");

/* KEYS[1] request, KEYS[2] due set. ARGV wanted state (confirmed, declined, withdrawn, expired, or "move"), lease
 * ms, id. Returns {verdict, state, staff, treatment, location, patient, start, end, zone, hold, emr, reason,
 * expires}: verdict ok (claimed: now "changing"), closed (state says how; a request past its deadline counts as
 * expired for all but the sweep), busy, gone, or not_due (the sweep asked too early). */
static store_script_t claim_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local h = redis.call('HMGET', KEYS[1], 'state', 'staff', 'treatment', 'location', 'patient', 'start', 'end', "
    "                     'zone', 'hold', 'emr', 'reason', 'expires', 'lease') "
    "if not h[1] then redis.call('ZREM', KEYS[2], ARGV[3]) return {'gone'} end "
    "local rest = {h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12]} "
    "if h[1] == 'changing' and tonumber(h[13]) > now then return {'busy'} end "
    "if h[1] ~= 'requested' and h[1] ~= 'changing' then "
    "  redis.call('ZREM', KEYS[2], ARGV[3]) return {'closed', h[1], unpack(rest)} end "
    "local due = tonumber(h[12]) <= now "
    "if ARGV[1] == 'expired' and not due then return {'not_due'} end "
    "if ARGV[1] ~= 'expired' and due then return {'closed', 'expired', unpack(rest)} end "
    "redis.call('HSET', KEYS[1], 'state', 'changing', 'lease', tostring(now + tonumber(ARGV[2]))) "
    "return {'ok', 'requested', unpack(rest)}");

/* KEYS[1] request, KEYS[2] its hold, KEYS[3] due set, KEYS[4] patient's set, KEYS[5] practitioner's hold set.
 * ARGV state, EMR id, reason, id, hold id, hold ms, grace ms. A confirmed request's hold stays as "booked" for
 * hold ms (the EMR's availability may not show the appointment yet); any other close releases it. */
static store_script_t close_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS "if redis.call('HGET', KEYS[1], 'state') ~= 'changing' then return 0 end "
                     "redis.call('HSET', KEYS[1], 'state', ARGV[1], 'emr', ARGV[2], 'reason', ARGV[3], 'lease', '0') "
                     "redis.call('ZREM', KEYS[3], ARGV[4]) redis.call('SREM', KEYS[4], ARGV[4]) "
                     "if ARGV[1] == 'confirmed' and redis.call('EXISTS', KEYS[2]) == 1 then "
                     "  local appt = ARGV[2] ~= '' and ARGV[2] or ARGV[4] "
                     "  redis.call('HSET', KEYS[2], 'state', 'booked', 'appt', appt, "
                     "             'expires', tostring(now + tonumber(ARGV[6]))) "
                     "  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]) + tonumber(ARGV[7])) "
                     "  local h = redis.call('HMGET', KEYS[2], 'start', 'end') "
                     "  redis.call('HSET', KEYS[5] .. '" BK_HOLDS_SPANS_SUFFIX "', ARGV[5], "
                     "             h[1] .. ' ' .. h[2] .. ' ' .. string.format('%.0f', now + tonumber(ARGV[6]))) "
                     "else redis.call('ZREM', KEYS[5], ARGV[5]) redis.call('DEL', KEYS[2]) "
                     "  redis.call('HDEL', KEYS[5] .. '" BK_HOLDS_SPANS_SUFFIX "', ARGV[5]) end "
                     "return 1");

/* KEYS[1] request, KEYS[2] old hold, KEYS[3] new hold, KEYS[4] old practitioner's hold set, KEYS[5] new one's.
 * ARGV id, old hold id, new hold id, grace ms. The new hold keeps the time until the request's deadline. */
static store_script_t move_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS "if redis.call('HGET', KEYS[1], 'state') ~= 'changing' then return 0 end "
                     "local h = redis.call('HMGET', KEYS[3], 'staff', 'treatment', 'location', 'start', 'end', 'zone') "
                     "if not h[1] then return 0 end "
                     "local expires = redis.call('HGET', KEYS[1], 'expires') "
                     "local live = tonumber(expires) - now + tonumber(ARGV[4]) "
                     "redis.call('HSET', KEYS[3], 'state', 'requested', 'appt', ARGV[1], 'expires', expires) "
                     "if live > 0 then redis.call('PEXPIRE', KEYS[3], live) end "
                     "if redis.call('PTTL', KEYS[5]) < live then redis.call('PEXPIRE', KEYS[5], live) end "
                     "local v = KEYS[5] .. '" BK_HOLDS_SPANS_SUFFIX "' "
                     "redis.call('HSET', v, ARGV[3], h[4] .. ' ' .. h[5] .. ' ' .. expires) "
                     "if redis.call('PTTL', v) < live then redis.call('PEXPIRE', v, live) end "
                     "redis.call('ZREM', KEYS[4], ARGV[2]) redis.call('DEL', KEYS[2]) "
                     "redis.call('HDEL', KEYS[4] .. '" BK_HOLDS_SPANS_SUFFIX "', ARGV[2]) "
                     "redis.call('HSET', KEYS[1], 'state', 'requested', 'lease', '0', 'hold', ARGV[3], 'staff', h[1], "
                     "           'treatment', h[2], 'location', h[3], 'start', h[4], 'end', h[5], 'zone', h[6]) "
                     "return 1");

/* KEYS[1] request. */
static store_script_t unclaim_script =
    STORE_SCRIPT("if redis.call('HGET', KEYS[1], 'state') == 'changing' then "
                 "  redis.call('HSET', KEYS[1], 'state', 'requested', 'lease', '0') end return 1");

/* KEYS[1] due set, KEYS[2] sweep lease. ARGV owner, lease ms, max. The due ids, or none without the lease. */
static store_script_t due_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS "if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return {} end "
                     "return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))");

/* KEYS the patients' sets. ARGV request-hash prefix. Each open request: id, staff, treatment, location, patient,
 * start, end. Ids whose record is gone leave their set. */
static store_script_t list_script = STORE_SCRIPT(
    "local out = {} "
    "for _, set in ipairs(KEYS) do "
    "  for _, id in ipairs(redis.call('SMEMBERS', set)) do "
    "    local h = redis.call('HMGET', ARGV[1] .. id, 'state', 'staff', 'treatment', 'location', 'patient', 'start', "
    "                         'end') "
    "    if not h[1] then redis.call('SREM', set, id) "
    "    elseif h[1] == 'requested' or h[1] == 'changing' then "
    "      out[#out + 1] = id for i = 2, 7 do out[#out + 1] = h[i] end end "
    "  end "
    "end return out");

bool bk_requests_only(const bk_tenant_t *tenant)
{
    return (prov_capabilities(tenant->provider, tenant->provider_instance) & PROV_CAP_NO_WRITE) != 0;
}

bool bk_request_is_id(const char *id)
{
    return id != NULL && strncmp(id, "req_", 4) == 0;
}

/* Service clock <-> Redis clock (booking/holds.c keeps its deadlines on Redis' clock too). */
static int64_t to_redis_clock(int64_t instant)
{
    return instant - tz_clock_offset();
}

static int64_t from_redis_clock(int64_t instant)
{
    return instant + tz_clock_offset();
}

static void key_of(const bk_tenant_t *t, const char *what, const char *id, char *buf, size_t cap)
{
    snprintf(buf, cap, "fd:{%s}:%s%s", t->id, what, id);
}

/* One request operation in flight. */
typedef struct req_flow {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    char id[BK_REQUEST_ID_CAP];
    char state[16];
    bk_hold_t hold; /* the request's time and who (hold.id: its hold) */
    char emr[BK_HOLD_FIELD_CAP];
    char reason[REASON_CAP];
    char given[REASON_CAP]; /* close: the EMR's id or the reason this close was given */
    int64_t expires;        /* the service's clock */
    bk_request_outcome_t outcome;
    bool again; /* closed this way already */
    bool counts; /* a record or a close: counted in /metrics as `counted` once durable */
    fd_mx_request_outcome_t counted;
    bk_request_done_cb cb;
    void *data;
    bk_appt_done_cb appt_cb; /* the *_as_appt adapters */
    void *appt_data;
} req_flow_t;

static const char *const outcome_states[] = {"confirmed", "declined", "withdrawn", "expired"};
static const bk_event_type_t outcome_events[] = {BK_EVENT_APPT_CREATED, BK_EVENT_APPT_REQUEST_DECLINED,
                                                 BK_EVENT_APPT_CANCELLED, BK_EVENT_APPT_REQUEST_EXPIRED};
static const fd_mx_request_outcome_t outcome_metrics[] = {FD_MX_REQUEST_CONFIRMED, FD_MX_REQUEST_DECLINED,
                                                          FD_MX_REQUEST_WITHDRAWN, FD_MX_REQUEST_EXPIRED};

static req_flow_t *flow_new(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_request_done_cb cb, void *data)
{
    if (id != NULL && strlen(id) >= BK_REQUEST_ID_CAP) return NULL;
    req_flow_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return NULL;
    *f = (req_flow_t){.env = env, .tenant = tenant, .cb = cb, .data = data};
    if (id != NULL) snprintf(f->id, sizeof(f->id), "%s", id);
    return f;
}

static bk_request_view_t view_of(const req_flow_t *f)
{
    bk_appt_state_t state = strcmp(f->state, "requested") == 0   ? BK_APPT_REQUESTED
                            : strcmp(f->state, "confirmed") == 0 ? BK_APPT_BOOKED
                                                                 : BK_APPT_CANCELLED;
    const bk_hold_t *h = &f->hold;
    bk_appointment_t a = {.id = (char *)f->id,
                          .state = state,
                          .start = h->start,
                          .end = h->end,
                          .patient_id = (char *)h->patient_id,
                          .staff_id = (char *)h->staff_id,
                          .treatment_id = (char *)h->treatment_id,
                          .location_id = (char *)h->location_id};
    return (bk_request_view_t){.id = f->id,
                               .state = f->state,
                               .hold_id = h->id,
                               .appointment = a,
                               .time_zone = h->time_zone,
                               .emr_appointment_id = f->emr,
                               .reason = f->reason,
                               .expires = f->expires};
}

bk_appointment_t bk_request_as_appt(const bk_request_view_t *v)
{
    return v->appointment;
}

static void flow_end(req_flow_t *f, bk_write_result_t result, bool with_view)
{
    bk_request_view_t v = view_of(f);
    v.again = f->again;
    f->cb(result, with_view ? &v : NULL, f->data);
    free(f);
}

static void on_durable(bool durable, void *data)
{
    req_flow_t *f = data;
    if (durable && f->counts) fd_mx_booking_request(f->counted);
    flow_end(f, durable ? BK_W_OK : BK_W_REDIS, durable);
}

/* Runs `script` (the change, 5 keys) and records the event `ev` (its appointment, zone and request fields filled
 * here from f's view unless given) in one transaction; answers f once both are durable. */
static void write_with_event(req_flow_t *f, store_script_t *script, const char *const keys[5], int nargs,
                             const char *const *args, bk_event_t *ev)
{
    bool tx = bk_events_begin(f->env, f->tenant, ev->type);
    store_eval(f->env->store, script, NULL, NULL, 5, keys, nargs, args, NULL);
    if (tx) {
        bk_request_view_t v = view_of(f);
        if (ev->appointment == NULL) ev->appointment = &v.appointment;
        ev->time_zone = v.time_zone;
        ev->request_id = f->id;
        ev->request_expires = f->expires;
        bk_events_add(f->env, f->tenant, ev);
        bk_events_commit(f->env);
    }
    bk_durable(f->env, on_durable, f);
}

/* ---- record --------------------------------------------------------------------------------------------------- */

static void record_then(const bk_catalog_t *catalog, void *data)
{
    req_flow_t *f = data;
    const bk_tenant_t *t = f->tenant;
    char req[256], hold[256], due[128], patient[256], staff[256], deadline[24], keep[24], grace[24];
    key_of(t, "req:", f->id, req, sizeof(req));
    key_of(t, "hold:", f->hold.id, hold, sizeof(hold));
    key_of(t, "reqs:due", "", due, sizeof(due));
    key_of(t, "reqs:patient:", f->hold.patient_id, patient, sizeof(patient));
    key_of(t, "holds:", f->hold.staff_id, staff, sizeof(staff));
    snprintf(deadline, sizeof(deadline), "%" PRId64, to_redis_clock(f->expires));
    snprintf(keep, sizeof(keep), "%lld", (long long)KEEP_MS);
    snprintf(grace, sizeof(grace), "%d", HOLD_GRACE_MS);
    const char *keys[] = {req, hold, due, patient, staff};
    const char *args[] = {f->id, f->hold.id, deadline, keep, grace};
    bk_event_t ev = {.type = BK_EVENT_APPT_REQUESTED, .catalog = catalog};
    write_with_event(f, &record_script, keys, 5, args, &ev);
}

int bk_request_record(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *hold, bk_request_done_cb cb,
                      void *data)
{
    if (!store_is_connected(env->store)) return -1;
    req_flow_t *f = flow_new(env, tenant, NULL, cb, data);
    if (f == NULL) return -1;
    if (!prov_record_id("req_", f->id, sizeof(f->id))) {
        free(f);
        return -1;
    }
    f->hold = *hold;
    f->counts = true;
    f->counted = FD_MX_REQUEST_REQUESTED;
    snprintf(f->state, sizeof(f->state), "requested");
    f->expires = tz_now() + (int64_t)tenant->policy.request_ttl_minutes * TZ_MS_PER_MINUTE;
    bk_events_with_catalog(env, tenant, BK_EVENT_APPT_REQUESTED, record_then, f);
    return 0;
}

/* ---- claim ---------------------------------------------------------------------------------------------------- */

static void copy_reply(char *dst, size_t cap, const redisReply *r)
{
    dst[0] = '\0';
    if (r->type == REDIS_REPLY_STRING && r->len < cap) {
        memcpy(dst, r->str, r->len);
        dst[r->len] = '\0';
    }
}

static int64_t int_reply(const redisReply *r)
{
    return r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
}

/* Reads a claim's answer into f; returns its verdict ("" when malformed). */
static const char *read_claim(req_flow_t *f, const redisReply *reply)
{
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
        reply->element[0]->type != REDIS_REPLY_STRING)
        return "";
    const char *verdict = reply->element[0]->str;
    if (reply->elements == 1) return verdict;
    if (reply->elements != 13) return "";
    redisReply **e = reply->element;
    bk_hold_t *h = &f->hold;
    copy_reply(f->state, sizeof(f->state), e[1]);
    copy_reply(h->staff_id, sizeof(h->staff_id), e[2]);
    copy_reply(h->treatment_id, sizeof(h->treatment_id), e[3]);
    copy_reply(h->location_id, sizeof(h->location_id), e[4]);
    copy_reply(h->patient_id, sizeof(h->patient_id), e[5]);
    h->start = int_reply(e[6]);
    h->end = int_reply(e[7]);
    copy_reply(h->time_zone, sizeof(h->time_zone), e[8]);
    copy_reply(h->id, sizeof(h->id), e[9]);
    copy_reply(f->emr, sizeof(f->emr), e[10]);
    copy_reply(f->reason, sizeof(f->reason), e[11]);
    f->expires = from_redis_clock(int_reply(e[12]));
    return verdict;
}

static int claim(req_flow_t *f, const char *wanted, store_reply_cb then)
{
    char req[256], due[128], lease[24];
    key_of(f->tenant, "req:", f->id, req, sizeof(req));
    key_of(f->tenant, "reqs:due", "", due, sizeof(due));
    snprintf(lease, sizeof(lease), "%d", LEASE_MS);
    const char *keys[] = {req, due};
    const char *args[] = {wanted, lease, f->id};
    return store_eval(f->env->store, &claim_script, then, f, 2, keys, 3, args, NULL);
}

/* The answer to a claim that did not claim. Returns false when it did (verdict ok). */
static bool claim_refused(req_flow_t *f, const char *verdict, const char *wanted)
{
    if (strcmp(verdict, "ok") == 0) return false;
    if (strcmp(verdict, "gone") == 0)
        flow_end(f, BK_W_NOT_FOUND, false);
    else if (strcmp(verdict, "busy") == 0 || strcmp(verdict, "not_due") == 0)
        flow_end(f, BK_W_BUSY, false);
    else if (strcmp(verdict, "closed") == 0) {
        f->again = strcmp(f->state, wanted) == 0;
        flow_end(f, f->again ? BK_W_OK : BK_W_REQUEST_CLOSED, true);
    } else
        flow_end(f, BK_W_REDIS, false);
    return true;
}

/* ---- close ---------------------------------------------------------------------------------------------------- */

static void close_then(const bk_catalog_t *catalog, void *data)
{
    req_flow_t *f = data;
    const bk_tenant_t *t = f->tenant;
    snprintf(f->state, sizeof(f->state), "%s", outcome_states[f->outcome]);
    f->counts = true;
    f->counted = outcome_metrics[f->outcome];
    char req[256], hold[256], due[128], patient[256], staff[256], hold_ms[24], grace[24];
    key_of(t, "req:", f->id, req, sizeof(req));
    key_of(t, "hold:", f->hold.id, hold, sizeof(hold));
    key_of(t, "reqs:due", "", due, sizeof(due));
    key_of(t, "reqs:patient:", f->hold.patient_id, patient, sizeof(patient));
    key_of(t, "holds:", f->hold.staff_id, staff, sizeof(staff));
    snprintf(hold_ms, sizeof(hold_ms), "%lld", (long long)t->policy.hold_seconds * 1000);
    snprintf(grace, sizeof(grace), "%d", HOLD_GRACE_MS);
    const char *keys[] = {req, hold, due, patient, staff};
    const char *args[] = {f->state, f->emr, f->reason, f->id, f->hold.id, hold_ms, grace};
    bk_event_type_t type = outcome_events[f->outcome];
    bk_request_view_t now = view_of(f);
    bk_appointment_t a = now.appointment;
    if (f->outcome == BK_REQUEST_CONFIRM && f->emr[0] != '\0') a.id = f->emr;
    bk_event_t ev = {.type = type, .appointment = &a, .catalog = catalog, .reason = f->reason[0] ? f->reason : NULL};
    write_with_event(f, &close_script, keys, 7, args, &ev);
}

static void on_close_claim(const redisReply *reply, void *data)
{
    req_flow_t *f = data;
    const char *verdict = read_claim(f, reply);
    if (claim_refused(f, verdict, outcome_states[f->outcome])) return;
    if (f->outcome == BK_REQUEST_CONFIRM) {
        snprintf(f->emr, sizeof(f->emr), "%.*s", (int)sizeof(f->emr) - 1, f->given);
        f->reason[0] = '\0';
    } else {
        snprintf(f->reason, sizeof(f->reason), "%s", f->given);
        f->emr[0] = '\0';
    }
    bk_events_with_catalog(f->env, f->tenant, outcome_events[f->outcome], close_then, f);
}

int bk_request_close(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_request_outcome_t outcome,
                     const char *text, bk_request_done_cb cb, void *data)
{
    if (!store_is_connected(env->store)) return -1;
    req_flow_t *f = flow_new(env, tenant, id, cb, data);
    if (f == NULL) return -1;
    f->outcome = outcome;
    snprintf(f->given, sizeof(f->given), "%s", text != NULL ? text : "");
    if (claim(f, outcome_states[outcome], on_close_claim) != 0) {
        free(f);
        return -1;
    }
    return 0;
}

/* ---- move ----------------------------------------------------------------------------------------------------- */

static void on_move_claim(const redisReply *reply, void *data)
{
    req_flow_t *f = data;
    const char *verdict = read_claim(f, reply);
    if (claim_refused(f, verdict, "requested")) return;
    flow_end(f, BK_W_OK, true);
}

int bk_request_claim_move(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_request_done_cb cb, void *data)
{
    if (!store_is_connected(env->store)) return -1;
    req_flow_t *f = flow_new(env, tenant, id, cb, data);
    if (f == NULL) return -1;
    if (claim(f, "move", on_move_claim) != 0) {
        free(f);
        return -1;
    }
    return 0;
}

void bk_request_unclaim(bk_env_t *env, const bk_tenant_t *tenant, const char *id)
{
    char req[256];
    key_of(tenant, "req:", id, req, sizeof(req));
    const char *keys[] = {req};
    store_eval(env->store, &unclaim_script, NULL, NULL, 1, keys, 0, NULL, NULL);
}

typedef struct move_wait {
    req_flow_t *f;
    bk_appointment_t old;
    char old_zone[64], old_hold[BK_HOLD_ID_LEN + 1];
    char staff[BK_HOLD_FIELD_CAP], treatment[BK_HOLD_FIELD_CAP], location[BK_HOLD_FIELD_CAP];
} move_wait_t;

static void move_then(const bk_catalog_t *catalog, void *data)
{
    move_wait_t *m = data;
    req_flow_t *f = m->f;
    const bk_tenant_t *t = f->tenant;
    char req[256], old_hold[256], new_hold[256], old_set[256], new_set[256], grace[24];
    key_of(t, "req:", f->id, req, sizeof(req));
    key_of(t, "hold:", m->old_hold, old_hold, sizeof(old_hold));
    key_of(t, "hold:", f->hold.id, new_hold, sizeof(new_hold));
    key_of(t, "holds:", m->old.staff_id, old_set, sizeof(old_set));
    key_of(t, "holds:", f->hold.staff_id, new_set, sizeof(new_set));
    snprintf(grace, sizeof(grace), "%d", HOLD_GRACE_MS);
    const char *keys[] = {req, old_hold, new_hold, old_set, new_set};
    const char *args[] = {f->id, m->old_hold, f->hold.id, grace};
    bk_event_t ev = {
        .type = BK_EVENT_APPT_RESCHEDULED, .previous = &m->old, .previous_time_zone = m->old_zone, .catalog = catalog};
    write_with_event(f, &move_script, keys, 4, args, &ev);
    free(m);
}

void bk_request_finish_move(bk_env_t *env, const bk_tenant_t *tenant, const bk_request_view_t *old,
                            const bk_hold_t *hold, bk_request_done_cb cb, void *data)
{
    req_flow_t *f = flow_new(env, tenant, old->id, cb, data);
    move_wait_t *m = f != NULL ? calloc(1, sizeof(*m)) : NULL;
    if (m == NULL) {
        free(f);
        bk_request_unclaim(env, tenant, old->id);
        bk_hold_settle(env, tenant, hold->id, BK_HOLD_SETTLE_RELEASE, NULL);
        cb(BK_W_REDIS, NULL, data);
        return;
    }
    m->f = f;
    snprintf(m->old_zone, sizeof(m->old_zone), "%s", old->time_zone);
    snprintf(m->old_hold, sizeof(m->old_hold), "%s", old->hold_id);
    snprintf(m->staff, sizeof(m->staff), "%s", old->appointment.staff_id);
    snprintf(m->treatment, sizeof(m->treatment), "%s", old->appointment.treatment_id);
    snprintf(m->location, sizeof(m->location), "%s", old->appointment.location_id);
    m->old = (bk_appointment_t){.id = f->id,
                                .state = BK_APPT_REQUESTED,
                                .start = old->appointment.start,
                                .end = old->appointment.end,
                                .patient_id = NULL,
                                .staff_id = m->staff,
                                .treatment_id = m->treatment,
                                .location_id = m->location};
    f->hold = *hold;
    snprintf(f->state, sizeof(f->state), "requested");
    f->expires = old->expires;
    bk_events_with_catalog(env, tenant, BK_EVENT_APPT_RESCHEDULED, move_then, m);
}

/* ---- listing -------------------------------------------------------------------------------------------------- */

typedef struct list_wait {
    bk_requests_listed_cb cb;
    void *data;
} list_wait_t;

static char *dup_reply(const redisReply *r)
{
    return strndup(r->type == REDIS_REPLY_STRING ? r->str : "", r->type == REDIS_REPLY_STRING ? r->len : 0);
}

static void on_listed(const redisReply *reply, void *data)
{
    list_wait_t *w = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements % 7 != 0) {
        w->cb(false, NULL, 0, w->data);
        free(w);
        return;
    }
    size_t n = reply->elements / 7, k = 0;
    bk_appointment_t *v = calloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; v != NULL && i < n; i++) {
        redisReply **e = reply->element + 7 * i;
        bk_appointment_t a = {.id = dup_reply(e[0]),
                              .state = BK_APPT_REQUESTED,
                              .staff_id = dup_reply(e[1]),
                              .treatment_id = dup_reply(e[2]),
                              .location_id = dup_reply(e[3]),
                              .patient_id = dup_reply(e[4]),
                              .start = int_reply(e[5]),
                              .end = int_reply(e[6])};
        if (a.id == NULL || a.staff_id == NULL || a.treatment_id == NULL || a.location_id == NULL ||
            a.patient_id == NULL)
            bk_appointment_clear(&a);
        else
            v[k++] = a;
    }
    w->cb(v != NULL, v, k, w->data);
    free(w);
}

int bk_requests_of_patients(bk_env_t *env, const bk_tenant_t *tenant, const char *const *patient_ids, size_t count,
                            bk_requests_listed_cb cb, void *data)
{
    enum { MAX_PATIENTS = 8 };
    if (count == 0 || count > MAX_PATIENTS) return -1;
    char sets[MAX_PATIENTS][256], prefix[128];
    const char *keys[MAX_PATIENTS];
    for (size_t i = 0; i < count; i++) {
        key_of(tenant, "reqs:patient:", patient_ids[i], sets[i], sizeof(sets[i]));
        keys[i] = sets[i];
    }
    key_of(tenant, "req:", "", prefix, sizeof(prefix));
    list_wait_t *w = calloc(1, sizeof(*w));
    if (w == NULL) return -1;
    *w = (list_wait_t){cb, data};
    const char *args[] = {prefix};
    if (store_eval(env->store, &list_script, on_listed, w, (int)count, keys, 1, args, NULL) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

/* ---- adapters to appointment answers -------------------------------------------------------------------------- */

typedef struct appt_wait {
    bk_appt_done_cb cb;
    void *data;
    fd_mx_booking_op_t op;
    bool recovering;
} appt_wait_t;

static void as_appt(bk_write_result_t result, const bk_request_view_t *view, void *data)
{
    appt_wait_t *w = data;
    if (result == BK_W_REQUEST_CLOSED) result = BK_W_ALREADY_CANCELLED;
    if (w->op == FD_MX_BOOKING_CANCEL && result == BK_W_OK && view != NULL && view->again && !w->recovering)
        result = BK_W_ALREADY_CANCELLED;
    bk_count_write(w->op, result, PROV_OK);
    bk_appointment_t a = view != NULL ? view->appointment : (bk_appointment_t){0};
    w->cb(result, result == BK_W_REDIS ? PROV_UNAVAILABLE : PROV_OK, result == BK_W_OK && view != NULL ? &a : NULL,
          w->data);
    free(w);
}

static appt_wait_t *appt_wait(bk_appt_done_cb cb, void *data, fd_mx_booking_op_t op)
{
    appt_wait_t *w = malloc(sizeof(*w));
    if (w != NULL) *w = (appt_wait_t){cb, data, op, false};
    return w;
}

int bk_request_withdraw_as_appt(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *reason,
                                bool recovering, bk_appt_done_cb cb, void *data)
{
    appt_wait_t *w = appt_wait(cb, data, FD_MX_BOOKING_CANCEL);
    if (w == NULL) return -1;
    w->recovering = recovering;
    if (bk_request_close(env, tenant, id, BK_REQUEST_WITHDRAW, reason, as_appt, w) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

int bk_request_record_as_appt(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *hold, bk_appt_done_cb cb,
                              void *data)
{
    appt_wait_t *w = appt_wait(cb, data, FD_MX_BOOKING_BOOK);
    if (w == NULL) return -1;
    if (bk_request_record(env, tenant, hold, as_appt, w) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

/* ---- the sweep's read ----------------------------------------------------------------------------------------- */

typedef struct due_wait {
    bk_requests_due_cb cb;
    void *data;
} due_wait_t;

static void on_due(const redisReply *reply, void *data)
{
    due_wait_t *w = data;
    const char *ids[MAX_DUE];
    size_t n = 0;
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < reply->elements && n < MAX_DUE; i++)
            if (reply->element[i]->type == REDIS_REPLY_STRING) ids[n++] = reply->element[i]->str;
    w->cb(ids, n, w->data);
    free(w);
}

int bk_requests_due(bk_env_t *env, const bk_tenant_t *tenant, const char *owner, int lease_ms, bk_requests_due_cb cb,
                    void *data)
{
    char due[128], lease_key[128], lease[24], max[24];
    key_of(tenant, "reqs:due", "", due, sizeof(due));
    key_of(tenant, "reqs:sweep", "", lease_key, sizeof(lease_key));
    snprintf(lease, sizeof(lease), "%d", lease_ms);
    snprintf(max, sizeof(max), "%d", MAX_DUE);
    due_wait_t *w = malloc(sizeof(*w));
    if (w == NULL) return -1;
    *w = (due_wait_t){cb, data};
    const char *keys[] = {due, lease_key};
    const char *args[] = {owner, lease, max};
    if (store_eval(env->store, &due_script, on_due, w, 2, keys, 3, args, NULL) != 0) {
        free(w);
        return -1;
    }
    return 0;
}
