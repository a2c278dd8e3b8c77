/* booking/holds.c: practitioner time holds in Redis, placed and claimed atomically (see holds.h). */
#include "booking/holds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <json.h>

#include "booking/emr_holds.h"
#include "metrics/metrics.h"
#include "store/script.h"
#include "tz/tz.h"

#define GRACE_MS 600000    /* a hold's hash outlives its expiry by this, so late callers get a clear answer */
#define MAX_BUSY 4096      /* live holds of one practitioner read at once */

/* Lua helpers shared by the scripts: Redis' clock, and whether a hold hash is live. The hold hashes and the
 * practitioner's set share the tenant's hash tag, so they live in one cluster slot. An `expires` read back is on
 * Redis' clock; from_redis_clock moves it onto the service's (tz_now), which tests may run ahead. */

/* The staff set's member SPAN_MEMBER is scored by the longest hold ever placed in it (it lives and expires with the
 * set), so the overlap check reads only the holds that start within that length before the new end, not a day
 * of them; a set without it (older versions) is read a whole max length back. */
#define SPAN_MEMBER "~span"
/* The staff set's companion hash, key "<set>~v": hold id -> "start end expires" (expires on Redis' clock), what
 * the availability reads need of every hold in one read; written in the same scripts as the set. */
#define SPANS_SUFFIX BK_HOLDS_SPANS_SUFFIX
/* Lua: the staff set and its spans hash (Lua expressions set, v) live at least hold + grace ms from now, each
 * extended only when less than hold + grace / 2 is left, so a run of holds extends them once in grace / 2, not on
 * every hold. Never shortened (a booking request may have set them longer), and always longer than any hold of
 * the set can still run (its expiry, or a claim's lease, is at most hold ms away when the set is written). */
#define LUA_OUTLIVE(set, v, hold, grace)                                                                         \
    "local keep = " hold " + " grace " "                                                                         \
    "if redis.call('PTTL', " set ") < keep - " grace " / 2 then redis.call('PEXPIRE', " set ", keep) end "       \
    "if redis.call('PTTL', " v ") < keep - " grace " / 2 then redis.call('PEXPIRE', " v ", keep) end "
/* Lua: write_record(key, json) writes a bk_hold_record_t (record_json: "live" or "any", the PEXPIREAT instant or
 * "", the field it is conditional on or "", that field's value, then names and values). */
#define LUA_WRITE_RECORD                                                                                         \
    "local function write_record(key, json) local r = cjson.decode(json) "                                       \
    "  if r[1] == 'live' and redis.call('EXISTS', key) == 0 then return end "                                   \
    "  if r[3] ~= '' and redis.call('HGET', key, r[3]) ~= r[4] then return end "                                \
    "  redis.call('HSET', key, unpack(r, 5)) "                                                                  \
    "  if r[2] ~= '' then redis.call('PEXPIREAT', key, r[2]) end end "
/* KEYS[1] staff set, KEYS[2] new hold hash, KEYS[3] a record written with it (bk_hold_place_with; optional).
 * ARGV the record's JSON ("" = none), id, token, start, end, hold ms, grace ms, max length ms, staff, treatment,
 * location, patient, zone. Returns {1, expires} or {0}. */
static store_script_t place_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS LUA_WRITE_RECORD
    "local prefix = string.sub(KEYS[2], 1, #KEYS[2] - #ARGV[2]) "
    "local s = tonumber(ARGV[4]) local e = tonumber(ARGV[5]) "
    "local v = KEYS[1] .. '" SPANS_SUFFIX "' "
    "local span = tonumber(redis.call('ZSCORE', KEYS[1], '" SPAN_MEMBER "') or '-1') "
    "if span < 0 then span = redis.call('EXISTS', KEYS[1]) == 1 and tonumber(ARGV[8]) or 0 end "
    "for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], s - span, '(' .. ARGV[5])) do "
    "  local h = redis.call('HMGET', prefix .. id, 'end', 'expires') "
    "  if not h[1] or tonumber(h[2]) <= now then redis.call('ZREM', KEYS[1], id) redis.call('HDEL', v, id) "
    "  elseif tonumber(h[1]) > s then return {0} end "
    "end "
    "local expires = now + tonumber(ARGV[6]) "
    "redis.call('HSET', KEYS[2], 'token', ARGV[3], 'start', ARGV[4], 'end', ARGV[5], 'expires', tostring(expires), "
    "           'state', 'held', 'staff', ARGV[9], 'treatment', ARGV[10], 'location', ARGV[11], 'patient', ARGV[12], "
    "           'zone', ARGV[13]) "
    "redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]) + tonumber(ARGV[7])) "
    "redis.call('ZADD', KEYS[1], s, ARGV[2]) "
    "if e - s > span then redis.call('ZADD', KEYS[1], e - s, '" SPAN_MEMBER "') end "
    "redis.call('HSET', v, ARGV[2], ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. string.format('%.0f', expires)) "
    LUA_OUTLIVE("KEYS[1]", "v", "tonumber(ARGV[6])", "tonumber(ARGV[7])")
    "if KEYS[3] then write_record(KEYS[3], ARGV[1]) end "
    "return {1, expires}");

/* KEYS[1] hold hash. ARGV token, lease ms. Returns {verdict, staff, treatment, location, patient, start, end,
 * expires, appt, zone, emr_hold}. */
static store_script_t claim_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local h = redis.call('HMGET', KEYS[1], 'token', 'state', 'expires', 'staff', 'treatment', 'location', "
    "                     'patient', 'start', 'end', 'appt', 'zone', 'emr_hold') "
    "if not h[1] or h[1] ~= ARGV[1] then return {'gone'} end "
    "local rest = {h[4], h[5], h[6], h[7], h[8], h[9], h[3], h[10] or '', h[11] or '', h[12] or ''} "
    "if h[2] == 'booked' or h[2] == 'requested' then return {h[2], unpack(rest)} end "
    "if tonumber(h[3]) <= now then return {'gone'} end "
    "if h[2] == 'booking' then return {'busy'} end "
    "local expires = math.max(tonumber(h[3]), now + tonumber(ARGV[2])) "
    "redis.call('HSET', KEYS[1], 'state', 'booking', 'expires', tostring(expires)) "
    /* every writer of 'expires' keeps the hash past it: only a lease beyond it needs the TTL looked at */
    "if expires ~= tonumber(h[3]) and redis.call('PTTL', KEYS[1]) < expires - now then "
    "  redis.call('PEXPIRE', KEYS[1], expires - now + 600000) end "
    "rest[7] = tostring(expires) "
    "return {h[2] == 'unknown' and 'recover' or 'held', unpack(rest)}");

/* KEYS[1] hold hash, KEYS[2..] records (bk_hold_record_t). ARGV staff-set prefix, id, outcome, appointment id,
 * hold ms, grace ms, then per record its JSON (one argument each, so records fit the helper's argument limit).
 * The records are written first, hold or no hold. A release returns the EMR's hold id it had ('' when none); a
 * booking consumed the EMR's hold, so "booked" forgets it. */
static store_script_t settle_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS LUA_WRITE_RECORD
    "for k = 2, #KEYS do write_record(KEYS[k], ARGV[5 + k]) end "
    "local h = redis.call('HMGET', KEYS[1], 'staff', 'emr_hold', 'start', 'end') "
    "if not h[1] then return 0 end "
    "local set = ARGV[1] .. h[1] "
    "if ARGV[3] == 'release' then "
    "  redis.call('ZREM', set, ARGV[2]) redis.call('HDEL', set .. '" SPANS_SUFFIX "', ARGV[2]) "
    "  redis.call('DEL', KEYS[1]) return h[2] or '' end "
    "if ARGV[3] == 'held' then redis.call('HSET', KEYS[1], 'state', 'held') return 1 end "
    "if ARGV[3] == 'booked' and h[2] then redis.call('HDEL', KEYS[1], 'emr_hold') end "
    "local expires = now + tonumber(ARGV[5]) "
    "redis.call('HSET', KEYS[1], 'state', ARGV[3], 'appt', ARGV[4], 'expires', tostring(expires)) "
    "redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]) + tonumber(ARGV[6])) "
    "redis.call('HSET', set .. '" SPANS_SUFFIX "', ARGV[2], "
    "           h[3] .. ' ' .. h[4] .. ' ' .. string.format('%.0f', expires)) "
    LUA_OUTLIVE("set", "set .. '" SPANS_SUFFIX "'", "tonumber(ARGV[5])", "tonumber(ARGV[6])")
    "return 1");

/* KEYS[1] hold hash. ARGV the EMR's hold id. */
static store_script_t set_emr_script =
    STORE_SCRIPT("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'emr_hold', ARGV[1]) end "
                 "return 1");

/* KEYS[1] the staff set's spans hash. Returns start, end, expires of every live hold, from one HGETALL (not one
 * HMGET per hold). The arguments never vary, so the reply is kept by the worker's read cache until the hash
 * changes (every place, settle and release writes it); the caller cuts it to its window and drops holds that
 * expired since. */
static store_script_t busy_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local out = {} local all = redis.call('HGETALL', KEYS[1]) "
    "for i = 2, #all, 2 do local s, e, x = string.match(all[i], '^(%S+) (%S+) (%S+)$') "
    "  if x and tonumber(x) > now then out[#out + 1] = s out[#out + 1] = e out[#out + 1] = x end "
    "end return out");

/* KEYS[1] the staff set. ARGV from, to, max length ms. bk_holds_busy's answer for [from, to) only: the holds that
 * start within the longest hold placed before `to`, from the spans hash, so its cost follows the holds of that
 * window, not every live hold of the practitioner. */
static store_script_t window_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local span = tonumber(redis.call('ZSCORE', KEYS[1], '" SPAN_MEMBER "') or ARGV[3]) "
    "local ids = redis.call('ZRANGEBYSCORE', KEYS[1], tonumber(ARGV[1]) - span, '(' .. ARGV[2]) "
    "local out = {} "
    "for at = 1, #ids, 500 do "
    "  local v = redis.call('HMGET', KEYS[1] .. '" SPANS_SUFFIX "', unpack(ids, at, math.min(at + 499, #ids))) "
    "  for i = 1, #v do local s, e, x = string.match(v[i] or '', '^(%S+) (%S+) (%S+)$') "
    "    if x and tonumber(x) > now then out[#out + 1] = s out[#out + 1] = e out[#out + 1] = x end end "
    "end return out");

static const char hex_digits[] = "0123456789abcdef";

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

void bk_hold_public_id(const bk_hold_t *hold, char out[BK_HOLD_PUBLIC_CAP])
{
    snprintf(out, BK_HOLD_PUBLIC_CAP, "hold_%s.%s", hold->id, hold->token);
}

bool bk_hold_is_hold_id(const char *s)
{
    return s != NULL && strncmp(s, "hold_", 5) == 0;
}

bool bk_hold_parse_public_id(const char *s, char id[BK_HOLD_ID_LEN + 1], char token[BK_HOLD_TOKEN_LEN + 1])
{
    if (s == NULL || strlen(s) != BK_HOLD_PUBLIC_CAP - 1 || !bk_hold_is_hold_id(s)) return false;
    const char *i = s + 5, *dot = i + BK_HOLD_ID_LEN, *t = dot + 1;
    if (*dot != '.' || !is_hex(i, BK_HOLD_ID_LEN) || !is_hex(t, BK_HOLD_TOKEN_LEN)) return false;
    memcpy(id, i, BK_HOLD_ID_LEN);
    id[BK_HOLD_ID_LEN] = '\0';
    memcpy(token, t, BK_HOLD_TOKEN_LEN);
    token[BK_HOLD_TOKEN_LEN] = '\0';
    return true;
}

bool bk_intervals_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
    return a0 < b1 && b0 < a1;
}

static bool random_hex(char *out, size_t hex_len)
{
    unsigned char bytes[32];
    size_t n = hex_len / 2;
    if (n > sizeof(bytes) || getrandom(bytes, n, 0) != (ssize_t)n) return false;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_digits[bytes[i] >> 4];
        out[2 * i + 1] = hex_digits[bytes[i] & 15];
    }
    out[hex_len] = '\0';
    return true;
}

static void set_key(const bk_tenant_t *t, const char *staff, char *buf, size_t cap)
{
    snprintf(buf, cap, "fd:{%s}:holds:%s", t->id, staff);
}

static void hash_key(const bk_tenant_t *t, const char *id, char *buf, size_t cap)
{
    snprintf(buf, cap, "fd:{%s}:hold:%s", t->id, id);
}

typedef struct op {
    bk_hold_t hold;
    bk_hold_cb cb;
    bk_holds_busy_cb busy_cb;
    int64_t from, to; /* the window a busy read asked for */
    void *data;
} op_t;

static bool int_of(const redisReply *r, int64_t *out)
{
    if (r->type == REDIS_REPLY_INTEGER) {
        *out = r->integer;
        return true;
    }
    if (r->type != REDIS_REPLY_STRING) return false;
    char *end;
    long long v = strtoll(r->str, &end, 10);
    if (end == r->str || *end != '\0') return false;
    *out = v;
    return true;
}

/* An instant from Redis' TIME on the service's clock (tz_now): the same unless a test moved ours. */
static int64_t from_redis_clock(int64_t instant)
{
    return instant + tz_clock_offset();
}

const char bk_hold_public_id_value[] = "";

/* A record as write_record reads it: a JSON array of strings (a new object; NULL when out of memory). A value
 * that is bk_hold_public_id_value becomes public_id. */
static json_object *record_json(const bk_hold_record_t *rec, const char *public_id)
{
    char at[24] = "";
    if (rec->expire_at > 0) snprintf(at, sizeof(at), "%" PRId64, rec->expire_at);
    json_object *a = json_object_new_array();
    if (a == NULL) return NULL;
    const char *head[] = {rec->only_if_live ? "live" : "any", at, rec->if_field != NULL ? rec->if_field : "",
                          rec->if_field != NULL ? rec->if_value : ""};
    for (size_t i = 0; i < 4; i++) json_object_array_add(a, json_object_new_string(head[i]));
    for (size_t i = 0; i < 2 * rec->n; i++) {
        const char *v = rec->fields[i] == bk_hold_public_id_value && public_id != NULL ? public_id : rec->fields[i];
        json_object_array_add(a, json_object_new_string(v));
    }
    return a;
}

static void on_place(const redisReply *reply, void *data)
{
    op_t *op = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
        fd_mx_hold(FD_MX_HOLD_FAILED);
        op->cb(BK_HOLD_FAILED, NULL, op->data);
    } else if (reply->element[0]->integer == 1 && reply->elements == 2 &&
               int_of(reply->element[1], &op->hold.expires)) {
        op->hold.expires = from_redis_clock(op->hold.expires);
        fd_mx_hold(FD_MX_HOLD_PLACED);
        fd_mx_hold_live_until((op->hold.expires + 999) / 1000);
        op->cb(BK_HOLD_OK, &op->hold, op->data);
    } else if (reply->element[0]->integer == 0) {
        fd_mx_hold(FD_MX_HOLD_TAKEN);
        op->cb(BK_HOLD_TAKEN, NULL, op->data);
    } else {
        fd_mx_hold(FD_MX_HOLD_FAILED);
        op->cb(BK_HOLD_FAILED, NULL, op->data);
    }
    free(op);
}

int bk_hold_place(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *spec, bk_hold_cb cb, void *data)
{
    return bk_hold_place_with(env, tenant, spec, NULL, cb, data);
}

int bk_hold_place_with(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *spec,
                       const bk_hold_record_t *record, bk_hold_cb cb, void *data)
{
    if (spec->end <= spec->start || spec->end - spec->start > BK_HOLD_MAX_MS) return -1;
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) return -1;
    op->hold = *spec;
    op->cb = cb;
    op->data = data;
    op->hold.appointment_id[0] = '\0';
    if (!random_hex(op->hold.id, BK_HOLD_ID_LEN) || !random_hex(op->hold.token, BK_HOLD_TOKEN_LEN)) {
        free(op);
        return -1;
    }
    char set[256], hash[256], start[24], end[24], hold_ms[24], grace[24], max_len[24];
    set_key(tenant, spec->staff_id, set, sizeof(set));
    hash_key(tenant, op->hold.id, hash, sizeof(hash));
    snprintf(start, sizeof(start), "%" PRId64, spec->start);
    snprintf(end, sizeof(end), "%" PRId64, spec->end);
    snprintf(hold_ms, sizeof(hold_ms), "%lld", (long long)tenant->policy.hold_seconds * 1000);
    snprintf(grace, sizeof(grace), "%d", GRACE_MS);
    snprintf(max_len, sizeof(max_len), "%lld", (long long)BK_HOLD_MAX_MS);
    char public_id[BK_HOLD_PUBLIC_CAP];
    bk_hold_public_id(&op->hold, public_id);
    json_object *json = record != NULL && record->n > 0 ? record_json(record, public_id) : NULL;
    const char *keys[] = {set, hash, json != NULL ? record->key : NULL};
    const char *args[] = {json != NULL ? json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN) : "",
                          op->hold.id, op->hold.token, start, end, hold_ms, grace, max_len,
                          spec->staff_id, spec->treatment_id, spec->location_id, spec->patient_id,
                          spec->time_zone};
    int rc = store_eval(env->store, &place_script, on_place, op, json != NULL ? 3 : 2, keys, 13, args, NULL);
    json_object_put(json);
    if (rc != 0) {
        free(op);
        return -1;
    }
    return 0;
}

static void copy_field(char *dst, size_t cap, const redisReply *r)
{
    dst[0] = '\0';
    if (r->type == REDIS_REPLY_STRING && r->len < cap) {
        memcpy(dst, r->str, r->len);
        dst[r->len] = '\0';
    }
}

static void on_claim(const redisReply *reply, void *data)
{
    op_t *op = data;
    bk_hold_result_t result = BK_HOLD_FAILED;
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
        reply->element[0]->type == REDIS_REPLY_STRING) {
        const char *v = reply->element[0]->str;
        if (strcmp(v, "gone") == 0) result = BK_HOLD_GONE;
        else if (strcmp(v, "busy") == 0) result = BK_HOLD_BUSY;
        else if (reply->elements == 11) {
            bk_hold_t *h = &op->hold;
            copy_field(h->staff_id, sizeof(h->staff_id), reply->element[1]);
            copy_field(h->treatment_id, sizeof(h->treatment_id), reply->element[2]);
            copy_field(h->location_id, sizeof(h->location_id), reply->element[3]);
            copy_field(h->patient_id, sizeof(h->patient_id), reply->element[4]);
            copy_field(h->appointment_id, sizeof(h->appointment_id), reply->element[8]);
            copy_field(h->time_zone, sizeof(h->time_zone), reply->element[9]);
            copy_field(h->emr_hold_id, sizeof(h->emr_hold_id), reply->element[10]);
            if (int_of(reply->element[5], &h->start) && int_of(reply->element[6], &h->end) &&
                int_of(reply->element[7], &h->expires)) {
                h->expires = from_redis_clock(h->expires);
                if (strcmp(v, "booked") == 0) result = BK_HOLD_BOOKED;
                else if (strcmp(v, "requested") == 0) result = BK_HOLD_REQUESTED;
                else if (strcmp(v, "recover") == 0) result = BK_HOLD_RECOVER;
                else if (strcmp(v, "held") == 0) result = BK_HOLD_OK;
            }
        }
    }
    bool has_hold = result == BK_HOLD_OK || result == BK_HOLD_RECOVER || result == BK_HOLD_BOOKED ||
                    result == BK_HOLD_REQUESTED;
    op->cb(result, has_hold ? &op->hold : NULL, op->data);
    free(op);
}

int bk_hold_claim(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token, int lease_ms,
                  bk_hold_cb cb, void *data)
{
    if (strlen(id) != BK_HOLD_ID_LEN || strlen(token) != BK_HOLD_TOKEN_LEN) return -1;
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) return -1;
    memcpy(op->hold.id, id, BK_HOLD_ID_LEN + 1);
    memcpy(op->hold.token, token, BK_HOLD_TOKEN_LEN + 1);
    op->cb = cb;
    op->data = data;
    char hash[256], lease[24];
    hash_key(tenant, id, hash, sizeof(hash));
    snprintf(lease, sizeof(lease), "%d", lease_ms);
    const char *keys[] = {hash};
    const char *args[] = {token, lease};
    if (store_eval(env->store, &claim_script, on_claim, op, 1, keys, 2, args, NULL) != 0) {
        free(op);
        return -1;
    }
    return 0;
}

typedef struct released {
    bk_env_t *env;
    const bk_tenant_t *tenant; /* retained until the reply */
} released_t;

/* A release's reply: the EMR's hold it had, released there too. */
static void on_released(const redisReply *reply, void *data)
{
    released_t *r = data;
    if (reply != NULL && reply->type == REDIS_REPLY_STRING && reply->len > 0 && reply->len < BK_HOLD_FIELD_CAP)
        bk_emr_hold_release(r->env, r->tenant, reply->str);
    bk_tenant_release(r->tenant);
    free(r);
}

void bk_hold_set_emr_hold(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *emr_hold_id)
{
    char hash[256];
    hash_key(tenant, id, hash, sizeof(hash));
    const char *keys[] = {hash};
    const char *args[] = {emr_hold_id};
    store_eval(env->store, &set_emr_script, NULL, NULL, 1, keys, 1, args, NULL);
}

void bk_hold_settle(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_hold_outcome_t outcome,
                    const char *appointment_id)
{
    bk_hold_settle_with(env, tenant, id, outcome, appointment_id, NULL, 0);
}

void bk_hold_settle_with(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_hold_outcome_t outcome,
                         const char *appointment_id, const bk_hold_record_t *records, size_t n)
{
    static const char *const names[] = {"booked", "held", "unknown", "release"};
    char hash[256], prefix[128], hold_ms[24], grace[24];
    hash_key(tenant, id, hash, sizeof(hash));
    snprintf(prefix, sizeof(prefix), "fd:{%s}:holds:", tenant->id);
    snprintf(hold_ms, sizeof(hold_ms), "%lld", (long long)tenant->policy.hold_seconds * 1000);
    snprintf(grace, sizeof(grace), "%d", GRACE_MS);
    const char *keys[1 + BK_HOLD_RECORDS_MAX] = {hash};
    const char *args[6 + BK_HOLD_RECORDS_MAX] = {prefix, id, names[outcome],
                                                 appointment_id != NULL ? appointment_id : "", hold_ms, grace};
    json_object *json[BK_HOLD_RECORDS_MAX] = {NULL};
    int nkeys = 1, nargs = 6;
    for (size_t k = 0; k < n && k < BK_HOLD_RECORDS_MAX; k++) {
        if (records[k].n == 0 || (json[k] = record_json(&records[k], NULL)) == NULL) continue;
        keys[nkeys++] = records[k].key;
        args[nargs++] = json_object_to_json_string_ext(json[k], JSON_C_TO_STRING_PLAIN);
    }
    released_t *r = NULL;
    if (outcome == BK_HOLD_SETTLE_RELEASE && bk_emr_holds_releasable(tenant) && (r = malloc(sizeof(*r))) != NULL) {
        *r = (released_t){.env = env, .tenant = tenant};
        bk_tenant_retain(tenant);
    }
    if (store_eval(env->store, &settle_script, r != NULL ? on_released : NULL, r, nkeys, keys, nargs, args, NULL) !=
            0 &&
        r != NULL) {
        bk_tenant_release(tenant);
        free(r);
    }
    for (size_t k = 0; k < BK_HOLD_RECORDS_MAX; k++) json_object_put(json[k]);
}

static void on_busy(const redisReply *reply, void *data)
{
    op_t *op = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements % 3 != 0) {
        op->busy_cb(false, NULL, 0, op->data);
        free(op);
        return;
    }
    size_t n = reply->elements / 3;
    if (n > MAX_BUSY) n = MAX_BUSY;
    int64_t(*v)[2] = malloc((n ? n : 1) * sizeof(*v));
    if (v == NULL) {
        op->busy_cb(false, NULL, 0, op->data);
        free(op);
        return;
    }
    int64_t now = tz_now();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t expires;
        if (int_of(reply->element[3 * i], &v[k][0]) && int_of(reply->element[3 * i + 1], &v[k][1]) &&
            int_of(reply->element[3 * i + 2], &expires) && from_redis_clock(expires) > now &&
            bk_intervals_overlap(v[k][0], v[k][1], op->from, op->to))
            k++;
    }
    op->busy_cb(true, (const int64_t(*)[2])v, k, op->data);
    free(v);
    free(op);
}

int bk_holds_busy_window(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, int64_t from, int64_t to,
                         bk_holds_busy_cb cb, void *data)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) return -1;
    *op = (op_t){.busy_cb = cb, .data = data, .from = from, .to = to};
    char set[256], lo[24], hi[24], max_len[24];
    set_key(tenant, staff_id, set, sizeof(set));
    snprintf(lo, sizeof(lo), "%" PRId64, from);
    snprintf(hi, sizeof(hi), "%" PRId64, to);
    snprintf(max_len, sizeof(max_len), "%lld", (long long)BK_HOLD_MAX_MS);
    const char *keys[] = {set};
    const char *args[] = {lo, hi, max_len};
    if (store_eval(env->store, &window_script, on_busy, op, 1, keys, 3, args, NULL) != 0) {
        free(op);
        return -1;
    }
    return 0;
}

int bk_holds_busy(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, int64_t from, int64_t to,
                  bk_holds_busy_cb cb, void *data)
{
    op_t *op = calloc(1, sizeof(*op));
    if (op == NULL) return -1;
    op->busy_cb = cb;
    op->data = data;
    op->from = from;
    op->to = to;
    char set[256], spans[260];
    set_key(tenant, staff_id, set, sizeof(set));
    snprintf(spans, sizeof(spans), "%s" SPANS_SUFFIX, set);
    const char *keys[] = {spans};
    if (store_eval_cached(env->store, &busy_script, on_busy, op, 1, keys, 0, NULL, NULL) != 0) {
        free(op);
        return -1;
    }
    return 0;
}
