/* booking/voice_retry.c: the /voice/book retry records in Redis (see voice_retry.h). */
#include "booking/voice_retry.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "store/script.h"

/* KEYS[1] record. ARGV owner, lease ms, ttl ms, takeover hold ("" = none).
 * Returns {'first'} | {'running'} | {'held', hold} | {'booked', appt, patient, staff, treatment, location, start,
 * end}. */
static store_script_t claim_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local h = redis.call('HMGET', KEYS[1], 'owner', 'lease', 'hold', 'appt', 'patient', 'staff', 'treatment', "
    "  'location', 'start', 'end') "
    "local appt = h[4] and h[4] ~= '' "
    "local hold = h[3] and h[3] ~= '' "
    "local take = not h[1] "
    "  or (not appt and not hold and tonumber(h[2] or '0') < now) "
    "  or (not appt and hold and ARGV[4] ~= '' and h[3] == ARGV[4]) "
    "if take then "
    "  for i = 1, 10 do if h[i] then redis.call('DEL', KEYS[1]) break end end " /* a new record needs no DEL */
    "  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'lease', tostring(now + tonumber(ARGV[2]))) "
    "  redis.call('PEXPIRE', KEYS[1], ARGV[3]) "
    "  return {'first'} "
    "end "
    "if appt then return {'booked', h[4], h[5] or '', h[6] or '', h[7] or '', h[8] or '', h[9] or '0', h[10] or '0'} end "
    "if hold then return {'held', h[3]} end "
    "return {'running'}");

/* KEYS[1] record. ARGV owner, hold. */
static store_script_t set_hold_script = STORE_SCRIPT(
    "if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HSET', KEYS[1], 'hold', ARGV[2]) end "
    "return 1");

/* KEYS[1] record. ARGV owner. */
static store_script_t release_script = STORE_SCRIPT(
    "local h = redis.call('HMGET', KEYS[1], 'owner', 'appt') "
    "if h[1] == ARGV[1] and (not h[2] or h[2] == '') then redis.call('DEL', KEYS[1]) end return 1");

/* KEYS[1] record. ARGV names and values (bk_vretry_booked_fields). Only a live record is written. */
static store_script_t booked_script = STORE_SCRIPT(
    "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], unpack(ARGV)) end return 1");

void bk_vretry_key(const bk_tenant_t *tenant, const char *contact, const char *staff_id, int64_t start,
                   char key[BK_VRETRY_KEY_CAP])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char hex[65] = "";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char at[24];
    snprintf(at, sizeof(at), "%" PRId64, start);
    if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
        EVP_DigestUpdate(ctx, contact, strlen(contact)) == 1 && EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
        EVP_DigestUpdate(ctx, staff_id, strlen(staff_id)) == 1 && EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
        EVP_DigestUpdate(ctx, at, strlen(at)) == 1 && EVP_DigestFinal_ex(ctx, d, &n) == 1) {
        for (unsigned i = 0; i < n && i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    EVP_MD_CTX_free(ctx);
    snprintf(key, BK_VRETRY_KEY_CAP, "fd:{%s}:vbook:%s", tenant->id, hex);
}

int bk_vretry_owner(char owner[BK_VRETRY_OWNER_CAP])
{
    unsigned char rnd[16];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) return -1;
    for (int i = 0; i < 16; i++) snprintf(owner + 2 * i, 3, "%02x", rnd[i]);
    return 0;
}

typedef struct claim {
    bk_vretry_cb cb;
    void *data;
} claim_t;

static const char *str_at(const redisReply *reply, size_t i)
{
    return i < reply->elements && reply->element[i]->type == REDIS_REPLY_STRING ? reply->element[i]->str : NULL;
}

static void on_claim(const redisReply *reply, void *data)
{
    claim_t *c = data;
    const char *verdict = reply != NULL && reply->type == REDIS_REPLY_ARRAY ? str_at(reply, 0) : NULL;
    if (verdict == NULL) {
        c->cb(BK_VRETRY_FAILED, NULL, NULL, c->data);
    } else if (strcmp(verdict, "first") == 0) {
        c->cb(BK_VRETRY_FIRST, NULL, NULL, c->data);
    } else if (strcmp(verdict, "running") == 0) {
        c->cb(BK_VRETRY_RUNNING, NULL, NULL, c->data);
    } else if (strcmp(verdict, "held") == 0 && str_at(reply, 1) != NULL) {
        c->cb(BK_VRETRY_HELD, str_at(reply, 1), NULL, c->data);
    } else if (strcmp(verdict, "booked") == 0 && reply->elements == 8) {
        bk_appointment_t a = {.id = (char *)str_at(reply, 1), .state = BK_APPT_BOOKED,
                              .patient_id = (char *)str_at(reply, 2), .staff_id = (char *)str_at(reply, 3),
                              .treatment_id = (char *)str_at(reply, 4), .location_id = (char *)str_at(reply, 5),
                              .start = strtoll(str_at(reply, 6) ? str_at(reply, 6) : "0", NULL, 10),
                              .end = strtoll(str_at(reply, 7) ? str_at(reply, 7) : "0", NULL, 10)};
        if (a.id == NULL || a.staff_id == NULL || a.treatment_id == NULL || a.location_id == NULL)
            c->cb(BK_VRETRY_FAILED, NULL, NULL, c->data);
        else
            c->cb(BK_VRETRY_BOOKED, NULL, &a, c->data);
    } else {
        c->cb(BK_VRETRY_FAILED, NULL, NULL, c->data);
    }
    free(c);
}

int bk_vretry_claim(bk_env_t *env, const char *key, const char *owner, const char *takeover_hold, bk_vretry_cb cb,
                    void *data)
{
    if (!store_is_connected(env->store)) return -1;
    claim_t *c = malloc(sizeof(*c));
    if (c == NULL) return -1;
    *c = (claim_t){cb, data};
    char lease[24], ttl[24];
    snprintf(lease, sizeof(lease), "%d", BK_VRETRY_LEASE_MS);
    snprintf(ttl, sizeof(ttl), "%lld", (long long)BK_VRETRY_TTL_MS);
    const char *keys[] = {key};
    const char *args[] = {owner, lease, ttl, takeover_hold != NULL ? takeover_hold : ""};
    if (store_eval(env->store, &claim_script, on_claim, c, 1, keys, 4, args, NULL) != 0) {
        free(c);
        return -1;
    }
    return 0;
}

void bk_vretry_hold_record(const char *key, const char *owner, const char *fields[2], bk_hold_record_t *rec)
{
    fields[0] = "hold";
    fields[1] = bk_hold_public_id_value;
    *rec = (bk_hold_record_t){.key = key, .fields = fields, .n = 1, .if_field = "owner", .if_value = owner};
}

void bk_vretry_set_hold(bk_env_t *env, const char *key, const char *owner, const char *hold)
{
    const char *keys[] = {key};
    const char *args[] = {owner, hold};
    store_eval(env->store, &set_hold_script, NULL, NULL, 1, keys, 2, args, NULL);
}

void bk_vretry_booked_fields(const bk_appointment_t *a, char start[24], char end[24],
                             const char *fields[2 * BK_VRETRY_BOOKED_FIELDS])
{
    snprintf(start, 24, "%" PRId64, a->start);
    snprintf(end, 24, "%" PRId64, a->end);
    const char *f[2 * BK_VRETRY_BOOKED_FIELDS] = {
        "appt", a->id, "patient", a->patient_id != NULL ? a->patient_id : "", "staff", a->staff_id,
        "treatment", a->treatment_id, "location", a->location_id, "start", start, "end", end};
    memcpy(fields, f, sizeof(f));
}

void bk_vretry_set_booked(bk_env_t *env, const char *key, const bk_appointment_t *a)
{
    char start[24], end[24];
    const char *fields[2 * BK_VRETRY_BOOKED_FIELDS];
    bk_vretry_booked_fields(a, start, end, fields);
    const char *keys[] = {key};
    store_eval(env->store, &booked_script, NULL, NULL, 1, keys, 2 * BK_VRETRY_BOOKED_FIELDS, fields, NULL);
}

void bk_vretry_release(bk_env_t *env, const char *key, const char *owner)
{
    const char *keys[] = {key};
    const char *args[] = {owner};
    store_eval(env->store, &release_script, NULL, NULL, 1, keys, 1, args, NULL);
}
