/* providers/practicebetter_request.c: one call to Practice Better's REST API: a token from the tenant's shared
 * rate bucket (store/rate_bucket.h: 5 requests a second, bursts of 20, across every worker and process), the
 * bearer token (practicebetter_token.c), the JSON request on the worker's HTTP client, a 401 answered by one new
 * token and one more try, the EMR's 429 shared with every process through the bucket's block, and the provider
 * status of the outcome (practicebetter_decode.c classifies errors); plus the small helpers the operations share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/once_timer.h"
#include "providers/practicebetter_internal.h"
#include "store/rate_bucket.h"

/* ---- the rate gate ---------------------------------------------------------------------------------------- */

typedef struct gate {
    pb_t *p;
    uv_loop_t *loop;
    void (*fn)(prov_status_t status, void *data);
    void *data;
} gate_t;

static void gate_fire(void *data)
{
    gate_t *g = data;
    g->fn(PROV_OK, g->data);
    free(g);
}

static void on_taken(bool ok, int64_t wait_ms, void *data)
{
    gate_t *g = data;
    if (ok && wait_ms > 0 && prov_once_timer_start(g->loop, (uint64_t)wait_ms, gate_fire, g) != NULL) return;
    prov_status_t st = !ok || wait_ms > 0 ? PROV_UNAVAILABLE : wait_ms < 0 ? PROV_RATE_LIMITED : PROV_OK;
    if (st == PROV_RATE_LIMITED) pb_note_blocked(g->p, -wait_ms);
    g->fn(st, g->data);
    free(g);
}

int pb_rate_gate(pb_t *p, prov_env_t *env, bool write, void (*fn)(prov_status_t status, void *data), void *data)
{
    if (env == NULL || env->store == NULL) return -1;
    gate_t *g = malloc(sizeof(*g));
    if (g == NULL) return -1;
    *g = (gate_t){p, env->loop, fn, data};
    /* A write may wait longer than a read: it finishes a booking the caller already chose, and reads queued
     * ahead of it must not make it fail. */
    int64_t wait = write && p->timeout_ms / 2 > p->rate_wait_ms ? p->timeout_ms / 2 : p->rate_wait_ms;
    if (store_rate_take(env->store, p->rate_key, p->block_key, p->rate_per_second, p->rate_burst, wait, on_taken,
                        g) != 0) {
        free(g);
        return -1;
    }
    return 0;
}

void pb_note_blocked(pb_t *p, int64_t ms)
{
    int64_t until = tz_now() + ms;
    pthread_mutex_lock(&p->mu);
    if (until > p->blocked_until) p->blocked_until = until;
    pthread_mutex_unlock(&p->mu);
}

/* ---- one call --------------------------------------------------------------------------------------------- */

typedef struct call {
    struct call *next_read;  /* in pb_t.reads: the reads in flight, which identical reads join */
    struct call *followers;  /* identical reads of the same worker answered with this one's answer */
    struct call *next_follower;
    pb_t *p;
    prov_env_t env;
    char method[8];
    char *url, *body;
    unsigned flags;
    bool retried; /* a 401 was answered by a new token once */
    pb_cb cb;
    void *data;
    char token[PROV_PB_TOKEN_CAP];
} call_t;

static void call_free(call_t *c)
{
    explicit_bzero(c->token, sizeof(c->token));
    free(c->url);
    free(c->body);
    free(c);
}

/* Ends a call and every identical read that joined it. */
static void finish(call_t *c, prov_status_t st, json_object *answer, const char *body, size_t len)
{
    pb_t *p = c->p;
    pthread_mutex_lock(&p->mu);
    for (call_t **at = (call_t **)&p->reads; *at != NULL; at = &(*at)->next_read)
        if (*at == c) {
            *at = c->next_read;
            break;
        }
    call_t *followers = c->followers;
    c->followers = NULL;
    pthread_mutex_unlock(&p->mu);
    bool ok = st == PROV_OK;
    if (c->cb != NULL) c->cb(st, ok ? answer : NULL, ok ? body : NULL, ok ? len : 0, c->data);
    while (followers != NULL) {
        call_t *f = followers;
        followers = f->next_follower;
        f->cb(st, ok ? answer : NULL, ok ? body : NULL, ok ? len : 0, f->data);
        call_free(f);
    }
    call_free(c);
}

/* Joins c to an identical read of the same worker already under way (true), or registers c as one (false).
 * Each read of a list or availability costs a token of a 5-a-second budget: callers asking the same thing at
 * once (a burst of calls for one slot) share one request. */
static bool join_read(pb_t *p, call_t *c)
{
    bool joined = false;
    pthread_mutex_lock(&p->mu);
    for (call_t *r = p->reads; r != NULL && !joined; r = r->next_read)
        if (r->env.loop == c->env.loop && r->flags == c->flags && strcmp(r->url, c->url) == 0) {
            c->next_follower = r->followers;
            r->followers = c;
            joined = true;
        }
    if (!joined) {
        c->next_read = p->reads;
        p->reads = c;
    }
    pthread_mutex_unlock(&p->mu);
    return joined;
}


/* Withdraws a call that could not start (pb_call returns -1; no callback). No read can have joined it yet:
 * followers are of the same worker, which is still inside pb_call. */
static void finish_unstarted(call_t *c)
{
    c->cb = NULL;
    finish(c, PROV_UNAVAILABLE, NULL, NULL, 0);
}

static int start_call(call_t *c);

static void on_answer(const prov_http_response_t *r, void *data)
{
    call_t *c = data;
    pb_t *p = c->p;
    prov_status_t st = prov_transport_status(r, c->flags & PB_READ);
    json_object *answer = NULL;
    if (st == PROV_RATE_LIMITED && r->retry_after_ms > 0) { /* the EMR's 429 outlasted our deadline */
        store_rate_block(c->env.store, p->block_key, r->retry_after_ms);
        pb_note_blocked(p, r->retry_after_ms);
    }
    if (st == PROV_OK && r->code == 401) {
        pb_token_drop(p, &c->env, c->token);
        if (!c->retried) { /* an expired or revoked token: one new token, one more try */
            c->retried = true;
            if (start_call(c) == 0) return;
            st = PROV_UNAVAILABLE;
        } else {
            prov_credential_refused(&p->refused_logged, p->tenant_id, "practicebetter", r->code);
            st = PROV_UPSTREAM;
        }
    } else if (st == PROV_OK && r->code == 403) {
        prov_credential_refused(&p->refused_logged, p->tenant_id, "practicebetter", r->code);
        st = PROV_UPSTREAM;
    } else if (st == PROV_OK && (r->code < 200 || r->code >= 300)) {
        st = prov_pb_error_status(r->code, r->body, r->body_len, c->flags & PB_RECORD);
        if (r->code == 429) {
            int64_t wait = r->retry_after_ms > 0 ? r->retry_after_ms : 1000;
            store_rate_block(c->env.store, p->block_key, wait);
            pb_note_blocked(p, wait);
        }
    } else if (st == PROV_OK && r->body_len > 0) {
        json_tokener *tok = json_tokener_new_ex(32);
        answer = tok != NULL ? json_tokener_parse_ex(tok, r->body, (int)r->body_len) : NULL;
        if (answer == NULL || json_tokener_get_error(tok) != json_tokener_success) st = PROV_UPSTREAM;
        if (tok != NULL) json_tokener_free(tok);
    }
    finish(c, st, answer, r->body, r->body_len);
    json_object_put(answer);
}

/* What a call does, for /metrics (metrics/metrics.h). */
static fd_mx_emr_op_t operation_of(const char *method, const char *path)
{
    bool get = strcmp(method, "GET") == 0;
    if (strstr(path, "/consultant/availability") != NULL) return FD_MX_EMR_LIST_AVAILABLE_TIMES;
    if (strstr(path, "/company/administration/members") != NULL) return FD_MX_EMR_LIST_PRACTITIONERS;
    if (strstr(path, "/consultant/records") != NULL) return get ? FD_MX_EMR_LIST_PATIENTS : FD_MX_EMR_CREATE_PATIENT;
    if (strstr(path, "/cancel") != NULL) return FD_MX_EMR_CANCEL_APPOINTMENT;
    if (strstr(path, "/date") != NULL) return FD_MX_EMR_UPDATE_APPOINTMENT;
    if (strstr(path, "/consultant/sessions") != NULL)
        return get ? FD_MX_EMR_LIST_APPOINTMENTS : FD_MX_EMR_CREATE_APPOINTMENT;
    return FD_MX_EMR_OTHER;
}

static void send_now(call_t *c)
{
    pb_t *p = c->p;
    char auth[PROV_PB_TOKEN_CAP + 32];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
    const char *headers[] = {"Accept: application/json", "Content-Type: application/json", auth, NULL};
    prov_http_request_t rq = {
        .method = c->method,
        .url = c->url,
        .headers = headers,
        .body = c->body,
        .body_len = c->body != NULL ? strlen(c->body) : 0,
        .credential = p->credential,
        .bucket = NULL, /* the shared Redis bucket paced it already */
        .connect_timeout_ms = p->connect_timeout_ms,
        .timeout_ms = p->timeout_ms,
        .max_in_flight = p->max_in_flight,
        .idempotent = c->flags & PB_READ,
        .metric_provider = FD_MX_PROVIDER_PRACTICEBETTER,
        .metric_op = operation_of(c->method, c->url + strlen(p->base_url)),
    };
    int rc = prov_http_request(c->env.http, &rq, on_answer, c, NULL);
    explicit_bzero(auth, sizeof(auth));
    if (rc != 0) finish(c, PROV_UNAVAILABLE, NULL, NULL, 0);
}

static void gate_passed(prov_status_t st, void *data)
{
    call_t *c = data;
    if (st != PROV_OK) {
        finish(c, st, NULL, NULL, 0);
        return;
    }
    send_now(c);
}

/* The access token comes first, the rate token last: a request is sent the moment the shared bucket lets it,
 * so requests cannot bunch up behind a token refresh with their budget already spent. */
static void with_token(call_t *c)
{
    if (pb_rate_gate(c->p, &c->env, !(c->flags & PB_READ), gate_passed, c) != 0)
        finish(c, PROV_UNAVAILABLE, NULL, NULL, 0);
}

static void on_token(prov_status_t st, const char *token, void *data)
{
    call_t *c = data;
    if (st != PROV_OK) {
        finish(c, st, NULL, NULL, 0);
        return;
    }
    snprintf(c->token, sizeof(c->token), "%s", token);
    with_token(c);
}

/* Gets the access token (now or later), then the rate token. 0, or -1 (nothing started). */
static int start_call(call_t *c)
{
    int rc = pb_token_get(c->p, &c->env, c->token, on_token, c);
    if (rc == 1) return pb_rate_gate(c->p, &c->env, !(c->flags & PB_READ), gate_passed, c);
    return rc;
}

int pb_call(pb_t *p, prov_env_t *env, const char *method, const char *path, const char *body, unsigned flags,
            pb_cb cb, void *data)
{
    if (env == NULL || env->http == NULL || strlen(method) >= 8) return -1;
    call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    *c = (call_t){.p = p, .env = *env, .flags = flags, .cb = cb, .data = data};
    snprintf(c->method, sizeof(c->method), "%s", method);
    size_t bl = strlen(p->base_url), pl = strlen(path);
    if (bl + pl >= PB_URL_CAP || (c->url = malloc(bl + pl + 1)) == NULL ||
        (body != NULL && (c->body = strdup(body)) == NULL)) {
        call_free(c);
        return -1;
    }
    memcpy(c->url, p->base_url, bl);
    memcpy(c->url + bl, path, pl + 1);
    if ((flags & PB_READ) && body == NULL && join_read(p, c)) return 0;
    if (start_call(c) != 0) {
        finish_unstarted(c);
        return -1;
    }
    return 0;
}

int pb_defer(uv_loop_t *loop, void (*fn)(void *), void *arg)
{
    return prov_once_timer_start(loop, 0, fn, arg) != NULL ? 0 : -1;
}
