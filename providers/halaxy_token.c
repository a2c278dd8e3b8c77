/* providers/halaxy_token.c: the OAuth2 client-credentials token of a Halaxy account, shared by every worker of the
 * process (the instance, under its mutex) and by every process (Redis), and refreshed before it runs out.
 *
 * Halaxy's tokens live 15 minutes (its example answer says expires_in 3600: the shorter is believed, see
 * prov_halaxy_token_decode). A token is used until three quarters of its life have passed, then replaced. The
 * order of places to look: this process; Redis (key fd:halaxy:{<credential>}:token = "<refresh_at> <expires_at>
 * <token>", expiring with the token); Halaxy. Only one refresher at a time: inside a process a flag under the
 * mutex, across processes SET NX on fd:halaxy:{<credential>}:token-lock (10 s); the others wait briefly and read the
 * token the refresher stored. When Redis is down each process refreshes for itself. The client secret is only ever
 * in the body of the token request; neither it nor a token is logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/halaxy_internal.h"
#include "providers/once_timer.h"

#define BEARER "Authorization: Bearer "
#define HEADER_CAP (sizeof(BEARER) + PROV_HALAXY_TOKEN_CAP)
#define LOCK_MS 10000      /* one refresher at a time, for at most this long */
#define LOCK_KEEP_MS 1000  /* after a refresh: late askers read the token stored */
#define POLL_LOCAL_MS 50   /* another worker of this process is refreshing */
#define POLL_REDIS_MS 100  /* another process is refreshing */
#define MAX_REDIS_POLLS 50 /* then refresh anyway */

typedef struct tok_req {
    halaxy_t *h;
    prov_env_t env;
    hx_token_cb cb;
    void *data;
    int polls;
    bool own_flag, own_lock;
} tok_req_t;

static void step(void *arg);
static void fetch(tok_req_t *t);

static void key_of(const halaxy_t *h, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "fd:halaxy:{%s}:%s", h->credential + sizeof("halaxy:") - 1, suffix);
}

/* Copies the header of this process's token when it is fresh (the mutex is held). */
static bool fresh_locked(const halaxy_t *h, int64_t now, char *header)
{
    if (h->token[0] == '\0' || now >= h->token_refresh_at) return false;
    snprintf(header, HEADER_CAP, BEARER "%s", h->token);
    return true;
}

static void install(halaxy_t *h, const char *token, int64_t refresh_at, int64_t expires_at)
{
    pthread_mutex_lock(&h->mu);
    if (refresh_at > h->token_refresh_at || h->token[0] == '\0') {
        snprintf(h->token, sizeof(h->token), "%s", token);
        h->token_refresh_at = refresh_at;
        h->token_expires_at = expires_at;
    }
    pthread_mutex_unlock(&h->mu);
}

static void finish(tok_req_t *t, prov_status_t st)
{
    halaxy_t *h = t->h;
    char header[HEADER_CAP] = "";
    pthread_mutex_lock(&h->mu);
    if (t->own_flag) h->refreshing_until = 0;
    if (st == PROV_OK && h->token[0] != '\0') snprintf(header, sizeof(header), BEARER "%s", h->token);
    pthread_mutex_unlock(&h->mu);
    if (st == PROV_OK && header[0] == '\0') st = PROV_UPSTREAM;
    /* A refresher that stored its token keeps the lock one more second: a process that missed the token a moment
     * ago and asks for the lock now must read the token, not fetch another one. A failed refresher lets go. */
    if (t->own_lock && t->env.store != NULL && store_is_connected(t->env.store)) {
        char lock[96];
        key_of(h, "token-lock", lock, sizeof(lock));
        if (st == PROV_OK)
            store_commandf(t->env.store, NULL, NULL, "PEXPIRE %s %d", lock, LOCK_KEEP_MS);
        else
            store_commandf(t->env.store, NULL, NULL, "DEL %s", lock);
    }
    t->cb(st, st == PROV_OK ? header : NULL, t->data);
    explicit_bzero(header, sizeof(header));
    free(t);
}

static void later(tok_req_t *t, uint64_t ms, void (*fn)(void *))
{
    if (prov_once_timer_start(t->env.loop, ms, fn, t) == NULL) finish(t, PROV_UNAVAILABLE);
}

static void on_token(const prov_http_response_t *r, void *data)
{
    tok_req_t *t = data;
    halaxy_t *h = t->h;
    char token[PROV_HALAXY_TOKEN_CAP];
    int life;
    if (r->status == PROV_HTTP_OK && r->code >= 200 && r->code < 300 &&
        prov_halaxy_token_decode(r->body, r->body_len, token, sizeof(token), &life) == 0) {
        int64_t now = tz_now(), refresh_at = now + (int64_t)life * 750, expires_at = now + (int64_t)life * 1000;
        install(h, token, refresh_at, expires_at);
        if (t->env.store != NULL && store_is_connected(t->env.store)) {
            char key[96], value[PROV_HALAXY_TOKEN_CAP + 48];
            key_of(h, "token", key, sizeof(key));
            snprintf(value, sizeof(value), "%lld %lld %s", (long long)refresh_at, (long long)expires_at, token);
            store_commandf(t->env.store, NULL, NULL, "SET %s %s PX %lld", key, value, (long long)life * 1000);
            explicit_bzero(value, sizeof(value));
        }
        explicit_bzero(token, sizeof(token));
        finish(t, PROV_OK);
        return;
    }
    prov_status_t st;
    if (r->status == PROV_HTTP_TIMEOUT) st = PROV_TIMEOUT;
    else if (r->status == PROV_HTTP_RATE_LIMITED || (r->status == PROV_HTTP_OK && r->code == 429)) st = PROV_RATE_LIMITED;
    else if (r->status != PROV_HTTP_OK || r->code >= 500) st = PROV_UNAVAILABLE;
    else st = PROV_UPSTREAM;
    if (r->status == PROV_HTTP_OK && (r->code == 400 || r->code == 401 || r->code == 403))
        prov_credential_refused(&h->refused_logged, h->tenant_id, "halaxy", r->code); /* invalid_client */
    else
        halaxy_log(h, "warn", "could not get a Halaxy access token",
                   r->status == PROV_HTTP_OK ? "the token endpoint answered an error" : "no answer");
    finish(t, st);
}

static void fetch(tok_req_t *t)
{
    halaxy_t *h = t->h;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "grant_type", json_object_new_string("client_credentials"));
    json_object_object_add(o, "client_id", json_object_new_string(h->client_id));
    json_object_object_add(o, "client_secret", json_object_new_string(h->client_secret));
    char *body = halaxy_json_body(o);
    if (body == NULL) {
        finish(t, PROV_UNAVAILABLE);
        return;
    }
    const char *headers[] = {"Accept: application/json", "Content-Type: application/json", h->ua_header, NULL};
    prov_http_request_t rq = {
        .method = "POST",
        .url = h->token_url,
        .headers = headers,
        .body = body,
        .body_len = strlen(body),
        .credential = h->credential,
        .bucket = h->bucket,
        .connect_timeout_ms = h->connect_timeout_ms,
        .timeout_ms = h->timeout_ms,
        .max_in_flight = h->max_in_flight,
        .idempotent = true, /* asking for a token twice is harmless */
    };
    pthread_mutex_lock(&h->mu);
    h->token_fetches++;
    pthread_mutex_unlock(&h->mu);
    int rc = t->env.http != NULL ? prov_http_request(t->env.http, &rq, on_token, t, NULL) : -1;
    explicit_bzero(body, strlen(body));
    free(body);
    if (rc != 0) finish(t, PROV_UNAVAILABLE);
}

static void redis_get(void *arg);

static void on_lock(const redisReply *reply, void *data)
{
    tok_req_t *t = data;
    if (reply != NULL && reply->type == REDIS_REPLY_NIL && ++t->polls <= MAX_REDIS_POLLS) {
        later(t, POLL_REDIS_MS, redis_get); /* another process is refreshing: read what it stores */
        return;
    }
    t->own_lock = reply != NULL && reply->type == REDIS_REPLY_STATUS;
    if (t->own_lock)
        redis_get(t); /* the lock is ours: read the token once more (another refresher may just have stored it) */
    else
        fetch(t);
}

static void on_redis_token(const redisReply *reply, void *data)
{
    tok_req_t *t = data;
    halaxy_t *h = t->h;
    if (reply != NULL && reply->type == REDIS_REPLY_STRING && reply->len < PROV_HALAXY_TOKEN_CAP + 48) {
        long long refresh_at = 0, expires_at = 0;
        int off = 0;
        char value[PROV_HALAXY_TOKEN_CAP + 48];
        memcpy(value, reply->str, reply->len);
        value[reply->len] = '\0';
        bool ok = sscanf(value, "%lld %lld %n", &refresh_at, &expires_at, &off) == 2 && off > 0 &&
                  value[off] != '\0' && strlen(value + off) < PROV_HALAXY_TOKEN_CAP && tz_now() < refresh_at;
        if (ok) install(h, value + off, refresh_at, expires_at);
        explicit_bzero(value, sizeof(value));
        if (ok) {
            finish(t, PROV_OK);
            return;
        }
    }
    if (reply == NULL || t->own_lock || t->env.store == NULL || !store_is_connected(t->env.store)) {
        fetch(t);
        return;
    }
    char lock[96];
    key_of(h, "token-lock", lock, sizeof(lock));
    if (store_commandf(t->env.store, on_lock, t, "SET %s 1 NX PX %d", lock, LOCK_MS) != 0) fetch(t);
}

static void redis_get(void *arg)
{
    tok_req_t *t = arg;
    char key[96];
    key_of(t->h, "token", key, sizeof(key));
    if (t->env.store == NULL || !store_is_connected(t->env.store) ||
        store_commandf(t->env.store, on_redis_token, t, "GET %s", key) != 0)
        fetch(t);
}

static void step(void *arg)
{
    tok_req_t *t = arg;
    halaxy_t *h = t->h;
    int64_t now = tz_now();
    char header[HEADER_CAP];
    pthread_mutex_lock(&h->mu);
    bool fresh = fresh_locked(h, now, header);
    bool busy = !fresh && !t->own_flag && h->refreshing_until > now;
    if (!fresh && !busy) {
        h->refreshing_until = now + LOCK_MS;
        t->own_flag = true;
    }
    pthread_mutex_unlock(&h->mu);
    explicit_bzero(header, sizeof(header));
    if (fresh) finish(t, PROV_OK);
    else if (busy) later(t, POLL_LOCAL_MS, step); /* another worker of this process is getting one */
    else redis_get(t);
}

int halaxy_token_get(halaxy_t *h, prov_env_t *env, hx_token_cb cb, void *data)
{
    char header[HEADER_CAP];
    pthread_mutex_lock(&h->mu);
    bool fresh = fresh_locked(h, tz_now(), header);
    pthread_mutex_unlock(&h->mu);
    if (fresh) {
        cb(PROV_OK, header, data);
        explicit_bzero(header, sizeof(header));
        return 0;
    }
    tok_req_t *t = calloc(1, sizeof(*t));
    if (t == NULL) return -1;
    *t = (tok_req_t){.h = h, .env = *env, .cb = cb, .data = data};
    step(t);
    return 0;
}

/* Deletes the shared token only while it still ends with the refused one (a newer one stays). */
static const char DROP_SCRIPT[] = "local v = redis.call('GET', KEYS[1]) "
                                  "if v and string.sub(v, -string.len(ARGV[1])) == ARGV[1] then "
                                  "return redis.call('DEL', KEYS[1]) end return 0";

void halaxy_token_drop(halaxy_t *h, prov_env_t *env, const char *auth_header)
{
    if (auth_header == NULL || strncmp(auth_header, BEARER, sizeof(BEARER) - 1) != 0) return;
    const char *token = auth_header + sizeof(BEARER) - 1;
    pthread_mutex_lock(&h->mu);
    if (strcmp(h->token, token) == 0) {
        explicit_bzero(h->token, sizeof(h->token));
        h->token_refresh_at = h->token_expires_at = 0;
    }
    pthread_mutex_unlock(&h->mu);
    if (env->store != NULL && store_is_connected(env->store)) {
        char key[96];
        key_of(h, "token", key, sizeof(key));
        store_commandf(env->store, NULL, NULL, "EVAL %s 1 %s %s", DROP_SCRIPT, key, token);
        char lock[96]; /* the lock kept after the refused token's refresh guards nothing now */
        key_of(h, "token-lock", lock, sizeof(lock));
        store_commandf(env->store, NULL, NULL, "DEL %s", lock);
    }
}
