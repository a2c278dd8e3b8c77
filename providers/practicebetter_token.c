/* providers/practicebetter_token.c: the OAuth2 client-credentials access token (POST /oauth2/token, about an
 * hour's life), shared by every worker of a process (the instance's copy, under its mutex) and by every process
 * (Redis: <token_key> holds the token itself, expiring REFRESH_MARGIN_MS before Practice Better's expiry). One
 * refresher at a time across processes: whoever takes <lock_key> (SET NX PX) asks for a new token; the others
 * read Redis again every WAIT_STEP_MS on a timer until it is there (bounded by the call's timeout). The token
 * and the client secret are never logged; a refused client id/secret writes the operator's line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/once_timer.h"
#include "providers/practicebetter_internal.h"
#include "store/rate_bucket.h"
#include "store/script.h"

#define REFRESH_MARGIN_MS 60000 /* a token this close to its expiry is not used: a new one is asked */
#define LOCK_MS           15000 /* a refresher that died frees the lock after this */
#define WAIT_STEP_MS      50

/* {token, ms it still lives} or nil. */
static store_script_t read_script = STORE_SCRIPT("local t = redis.call('GET', KEYS[1]) "
                                                 "if not t then return nil end "
                                                 "return {t, redis.call('PTTL', KEYS[1])}");
/* Deletes the token only when it is still the refused one (another process may have stored a new one). */
static store_script_t drop_script = STORE_SCRIPT("if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                                 "return redis.call('DEL', KEYS[1]) end return 0");

typedef struct wait {
    pb_t *p;
    prov_env_t env;
    pb_token_cb cb;
    void *data;
    int waited_ms;
    bool locked; /* this one holds the refresh lock */
} wait_t;

static void learn(pb_t *p, const char *token, int64_t lives_ms)
{
    pthread_mutex_lock(&p->mu);
    snprintf(p->token, sizeof(p->token), "%s", token);
    p->token_until = tz_now() + lives_ms;
    pthread_mutex_unlock(&p->mu);
}

static void end_wait(wait_t *w, prov_status_t st, const char *token)
{
    if (w->locked && w->env.store != NULL) (void)store_commandf(w->env.store, NULL, NULL, "DEL %s", w->p->lock_key);
    w->cb(st, st == PROV_OK ? token : NULL, w->data);
    free(w);
}

static int read_redis(wait_t *w);

static void on_granted(const prov_http_response_t *r, void *data)
{
    wait_t *w = data;
    pb_t *p = w->p;
    prov_status_t st = prov_transport_status(r, true);
    char *token = malloc(PROV_PB_TOKEN_CAP);
    int64_t expires_in = 0;
    if (token == NULL) {
        st = PROV_UNAVAILABLE;
    } else if (st == PROV_OK && r->code == 200) {
        if (prov_pb_token_decode(r->body, r->body_len, token, PROV_PB_TOKEN_CAP, &expires_in) != 0) {
            st = PROV_UPSTREAM;
        } else {
            int64_t lives = expires_in * 1000 - REFRESH_MARGIN_MS;
            if (lives < 1000) lives = 1000; /* a token shorter-lived than our margin is used, briefly */
            (void)store_commandf(w->env.store, NULL, NULL, "SET %s %s PX %lld", p->token_key, token,
                                 (long long)lives);
            learn(p, token, lives);
        }
    } else if (st == PROV_OK) {
        if (r->code == 400 || r->code == 401 || r->code == 403) { /* invalid_client: revoked or mistyped */
            prov_credential_refused(&p->refused_logged, p->tenant_id, "practicebetter", r->code);
            st = PROV_UPSTREAM;
        } else {
            st = prov_pb_error_status(r->code, r->body, r->body_len, false);
            if (r->code == 429) {
                int64_t wait = r->retry_after_ms > 0 ? r->retry_after_ms : 1000;
                store_rate_block(w->env.store, p->block_key, wait);
                pb_note_blocked(p, wait);
            }
        }
    }
    end_wait(w, st, token);
    if (token != NULL) {
        explicit_bzero(token, PROV_PB_TOKEN_CAP);
        free(token);
    }
}

static void refresh_gate(prov_status_t st, void *data)
{
    wait_t *w = data;
    pb_t *p = w->p;
    if (st != PROV_OK) {
        end_wait(w, st, NULL);
        return;
    }
    size_t cap = 96 + 3 * (strlen(p->client_id) + strlen(p->secret));
    char *form = malloc(cap);
    if (form == NULL) {
        end_wait(w, PROV_UNAVAILABLE, NULL);
        return;
    }
    snprintf(form, cap, "grant_type=client_credentials&scope=read%%20write&client_id=");
    (void)prov_cliniko_query_escape(form, cap, p->client_id);
    snprintf(form + strlen(form), cap - strlen(form), "&client_secret=");
    (void)prov_cliniko_query_escape(form, cap, p->secret);
    char url[PB_URL_CAP];
    snprintf(url, sizeof(url), "%s/oauth2/token", p->base_url);
    const char *headers[] = {"Accept: application/json", "Content-Type: application/x-www-form-urlencoded", NULL};
    prov_http_request_t rq = {.method = "POST",
                              .url = url,
                              .headers = headers,
                              .body = form,
                              .body_len = strlen(form),
                              .credential = p->credential,
                              .connect_timeout_ms = p->connect_timeout_ms,
                              .timeout_ms = p->timeout_ms,
                              .max_in_flight = p->max_in_flight,
                              .idempotent = true, /* asking again for a token changes nothing */
                              .metric_provider = FD_MX_PROVIDER_PRACTICEBETTER,
                              .metric_op = FD_MX_EMR_OTHER};
    int rc = prov_http_request(w->env.http, &rq, on_granted, w, NULL);
    explicit_bzero(form, strlen(form)); /* it held the secret */
    free(form);
    if (rc != 0) end_wait(w, PROV_UNAVAILABLE, NULL);
}

static void read_again(void *data)
{
    wait_t *w = data;
    if (read_redis(w) != 0) end_wait(w, PROV_UNAVAILABLE, NULL);
}

static void on_lock(const redisReply *reply, void *data)
{
    wait_t *w = data;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        end_wait(w, PROV_UNAVAILABLE, NULL);
        return;
    }
    if (reply->type == REDIS_REPLY_STATUS) { /* OK: this worker refreshes */
        w->locked = true;
        if (pb_rate_gate(w->p, &w->env, false, refresh_gate, w) != 0) end_wait(w, PROV_UNAVAILABLE, NULL);
        return;
    }
    /* Another worker or process is refreshing: read its result shortly. */
    w->waited_ms += WAIT_STEP_MS;
    if (w->waited_ms > w->p->timeout_ms) {
        end_wait(w, PROV_TIMEOUT, NULL);
        return;
    }
    if (prov_once_timer_start(w->env.loop, WAIT_STEP_MS, read_again, w) == NULL) end_wait(w, PROV_UNAVAILABLE, NULL);
}

static void on_read(const redisReply *reply, void *data)
{
    wait_t *w = data;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        end_wait(w, PROV_UNAVAILABLE, NULL);
        return;
    }
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 && reply->element[0]->type == REDIS_REPLY_STRING &&
        reply->element[1]->type == REDIS_REPLY_INTEGER && reply->element[1]->integer > 0 &&
        reply->element[0]->len < PROV_PB_TOKEN_CAP) {
        char token[PROV_PB_TOKEN_CAP];
        memcpy(token, reply->element[0]->str, reply->element[0]->len);
        token[reply->element[0]->len] = '\0';
        learn(w->p, token, reply->element[1]->integer);
        end_wait(w, PROV_OK, token);
        explicit_bzero(token, sizeof(token));
        return;
    }
    if (store_commandf(w->env.store, on_lock, w, "SET %s 1 NX PX %d", w->p->lock_key, LOCK_MS) != 0)
        end_wait(w, PROV_UNAVAILABLE, NULL);
}

static int read_redis(wait_t *w)
{
    const char *keys[] = {w->p->token_key};
    return store_eval(w->env.store, &read_script, on_read, w, 1, keys, 0, NULL, NULL);
}

int pb_token_get(pb_t *p, prov_env_t *env, char out[PROV_PB_TOKEN_CAP], pb_token_cb cb, void *data)
{
    pthread_mutex_lock(&p->mu);
    bool have = p->token[0] != '\0' && p->token_until > tz_now();
    if (have) memcpy(out, p->token, PROV_PB_TOKEN_CAP);
    pthread_mutex_unlock(&p->mu);
    if (have) return 1;
    if (env->store == NULL) return -1;
    wait_t *w = calloc(1, sizeof(*w));
    if (w == NULL) return -1;
    *w = (wait_t){.p = p, .env = *env, .cb = cb, .data = data};
    if (read_redis(w) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

void pb_token_drop(pb_t *p, prov_env_t *env, const char *token)
{
    pthread_mutex_lock(&p->mu);
    if (strcmp(p->token, token) == 0) {
        explicit_bzero(p->token, sizeof(p->token));
        p->token_until = 0;
    }
    pthread_mutex_unlock(&p->mu);
    const char *keys[] = {p->token_key}, *args[] = {token};
    if (env->store != NULL) (void)store_eval(env->store, &drop_script, NULL, NULL, 1, keys, 1, args, NULL);
}
