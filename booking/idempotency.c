/* booking/idempotency.c: Idempotency-Key records and request fingerprints (see idempotency.h). */
#include "booking/idempotency.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/script.h"

#define CANON_MAX_DEPTH 64

/* KEYS[1] record. ARGV fp, owner, lease ms, ttl ms. Redis' clock, so every process agrees on leases. */
static store_script_t claim_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local v = redis.call('HMGET', KEYS[1], 'state', 'fp', 'status', 'body', 'lease') "
    "if not v[1] then "
    "  redis.call('HSET', KEYS[1], 'state', 'running', 'fp', ARGV[1], 'owner', ARGV[2], 'prev', 'none', "
    "             'lease', tostring(now + tonumber(ARGV[3]))) "
    "  redis.call('PEXPIRE', KEYS[1], ARGV[4]) return {'claimed'} end "
    "if v[2] ~= ARGV[1] then return {'reused'} end "
    "if v[1] == 'done' then return {'done', v[3], v[4]} end "
    "if v[1] == 'running' and tonumber(v[5]) > now then return {'running'} end "
    "redis.call('HSET', KEYS[1], 'state', 'running', 'owner', ARGV[2], 'prev', 'unknown', "
    "           'lease', tostring(now + tonumber(ARGV[3]))) "
    "redis.call('PEXPIRE', KEYS[1], ARGV[4]) return {'recover'}");

/* KEYS[1] record. ARGV owner, state, status, body, ttl ms. */
static store_script_t finish_script = STORE_SCRIPT(
    "if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end "
    "redis.call('HSET', KEYS[1], 'state', ARGV[2], 'status', ARGV[3], 'body', ARGV[4], 'owner', '') "
    "redis.call('PEXPIRE', KEYS[1], ARGV[5]) return 1");

/* KEYS[1] record. ARGV owner. */
static store_script_t release_script = STORE_SCRIPT(
    "local v = redis.call('HMGET', KEYS[1], 'owner', 'prev') "
    "if v[1] ~= ARGV[1] then return 0 end "
    "if v[2] == 'unknown' then redis.call('HSET', KEYS[1], 'state', 'unknown', 'owner', '') return 1 end "
    "return redis.call('DEL', KEYS[1])");

typedef struct buf {
    char *p;
    size_t len, cap;
    int failed;
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *grown = realloc(b->p, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_value(buf_t *b, json_object *v, int depth)
{
    if (depth > CANON_MAX_DEPTH) {
        b->failed = 1;
        return;
    }
    if (json_object_is_type(v, json_type_object)) {
        size_t n = (size_t)json_object_object_length(v), i = 0;
        const char **keys = calloc(n ? n : 1, sizeof(*keys));
        if (keys == NULL) {
            b->failed = 1;
            return;
        }
        json_object_object_foreach(v, key, val)
        {
            (void)val;
            keys[i++] = key;
        }
        qsort(keys, n, sizeof(*keys), cmp_str);
        put(b, "{", 1);
        for (i = 0; i < n; i++) {
            json_object *name = json_object_new_string(keys[i]), *child = NULL;
            const char *s = name != NULL ? json_object_to_json_string_ext(name, JSON_C_TO_STRING_PLAIN) : NULL;
            if (s == NULL) b->failed = 1;
            else {
                if (i) put(b, ",", 1);
                put(b, s, strlen(s));
                put(b, ":", 1);
            }
            json_object_put(name);
            json_object_object_get_ex(v, keys[i], &child);
            put_value(b, child, depth + 1);
        }
        put(b, "}", 1);
        free(keys);
    } else if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        put(b, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i) put(b, ",", 1);
            put_value(b, json_object_array_get_idx(v, i), depth + 1);
        }
        put(b, "]", 1);
    } else if (v == NULL) {
        put(b, "null", 4);
    } else {
        const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        put(b, s, strlen(s));
    }
}

char *bk_idem_canonical_json(json_object *v)
{
    buf_t b = {0};
    put_value(&b, v, 0);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static void hex_of(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

int bk_idem_fingerprint(const char *route, json_object *body, char out[65])
{
    char *canon = bk_idem_canonical_json(body);
    if (canon == NULL) return -1;
    unsigned char d[32];
    unsigned int n = 32;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, route, strlen(route)) == 1 && EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
             EVP_DigestUpdate(ctx, canon, strlen(canon)) == 1 && EVP_DigestFinal_ex(ctx, d, &n) == 1;
    EVP_MD_CTX_free(ctx);
    free(canon);
    if (!ok) return -1;
    hex_of(d, 32, out);
    return 0;
}

void bk_idem_record_key(const char *tenant, const char *key, size_t key_len, char *buf, size_t cap)
{
    unsigned char d[32];
    unsigned int n = 32;
    char hex[65];
    EVP_Digest(key, key_len, d, &n, EVP_sha256(), NULL);
    hex_of(d, 32, hex);
    snprintf(buf, cap, "fd:{%s}:idem:%s", tenant, hex);
}

typedef struct claim {
    bk_idem_cb cb;
    void *data;
} claim_t;

static void on_claim(const redisReply *reply, void *data)
{
    claim_t *c = data;
    bk_idem_verdict_t v = BK_IDEM_FAILED;
    int status = 0;
    const char *body = NULL;
    size_t len = 0;
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
        reply->element[0]->type == REDIS_REPLY_STRING) {
        const char *s = reply->element[0]->str;
        if (strcmp(s, "claimed") == 0) v = BK_IDEM_CLAIMED;
        else if (strcmp(s, "recover") == 0) v = BK_IDEM_RECOVER;
        else if (strcmp(s, "running") == 0) v = BK_IDEM_IN_PROGRESS;
        else if (strcmp(s, "reused") == 0) v = BK_IDEM_REUSED;
        else if (strcmp(s, "done") == 0 && reply->elements == 3 && reply->element[1]->type == REDIS_REPLY_STRING &&
                 reply->element[2]->type == REDIS_REPLY_STRING) {
            char *end;
            long st = strtol(reply->element[1]->str, &end, 10);
            if (*end == '\0' && st >= 100 && st <= 599) {
                v = BK_IDEM_REPLAY;
                status = (int)st;
                body = reply->element[2]->str;
                len = reply->element[2]->len;
            }
        }
    }
    c->cb(v, status, body, len, c->data);
    free(c);
}

int bk_idem_claim(store_t *store, const char *record_key, const char *fp, const char *owner, bk_idem_cb cb,
                  void *data)
{
    claim_t *c = malloc(sizeof(*c));
    if (c == NULL) return -1;
    *c = (claim_t){cb, data};
    char lease[24], ttl[24];
    snprintf(lease, sizeof(lease), "%d", BK_IDEM_LEASE_MS);
    snprintf(ttl, sizeof(ttl), "%lld", (long long)BK_IDEM_TTL_MS);
    const char *keys[] = {record_key};
    const char *args[] = {fp, owner, lease, ttl};
    if (store_eval(store, &claim_script, on_claim, c, 1, keys, 4, args, NULL) != 0) {
        free(c);
        return -1;
    }
    return 0;
}

void bk_idem_finish(store_t *store, const char *record_key, const char *owner, int unknown, int status,
                    const char *body, size_t len)
{
    char st[16], ttl[24];
    snprintf(st, sizeof(st), "%d", status);
    snprintf(ttl, sizeof(ttl), "%lld", (long long)BK_IDEM_TTL_MS);
    if (len > BK_IDEM_BODY_MAX) {
        bk_idem_release(store, record_key, owner);
        return;
    }
    const char *state = unknown ? "unknown" : "done";
    const char *keys[] = {record_key};
    const char *args[] = {owner, state, st, body, ttl};
    const size_t lens[] = {strlen(owner), strlen(state), strlen(st), len, strlen(ttl)};
    store_eval(store, &finish_script, NULL, NULL, 1, keys, 5, args, lens);
}

void bk_idem_release(store_t *store, const char *record_key, const char *owner)
{
    const char *keys[] = {record_key};
    const char *args[] = {owner};
    store_eval(store, &release_script, NULL, NULL, 1, keys, 1, args, NULL);
}
