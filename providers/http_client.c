/* providers/http_client.c: libcurl multi driven by a uv loop (uv_poll per socket, one uv_timer for curl),
 * plus deadlines, retries, per-credential rate buckets, in-flight caps with bounded queues and GET coalescing.
 *
 * A request is a subscriber (prov_http_req_t) of a transfer (transfer_t); identical concurrent GETs are
 * several subscribers of one transfer. A transfer goes NEW -> (QUEUED) -> (RATE_WAIT) -> RUNNING ->
 * (BACKOFF -> RATE_WAIT -> RUNNING)* -> DONE. Its own uv_timer serves each waiting state; curl enforces the
 * deadline while RUNNING. Easy handles are only added and removed outside curl's callbacks: completions are
 * handled after curl_multi_socket_action has returned. */
#include "providers/http_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "providers/net_guard.h"
#include "tz/tz.h"

#define EASY_POOL_MAX 16
#define BACKOFF_BASE_MS 100
#define RETRY_MARGIN_MS 50  /* a retry must leave at least this long before the deadline */
#define DEFAULT_429_WAIT_MS 1000
#define MAX_CREDENTIALS 4096

/* ---- rate bucket ------------------------------------------------------------------------------------------ */

struct prov_http_bucket {
    pthread_mutex_t mu;
    double per_ms, burst, tokens;
    uint64_t last_ms, blocked_until_ms; /* monotonic */
};

static uint64_t mono_ms(void)
{
    return uv_hrtime() / 1000000u;
}

prov_http_bucket_t *prov_http_bucket_create(double per_minute, int burst)
{
    if (!(per_minute > 0) || burst < 1) return NULL;
    prov_http_bucket_t *b = calloc(1, sizeof(*b));
    if (b == NULL) return NULL;
    if (pthread_mutex_init(&b->mu, NULL) != 0) {
        free(b);
        return NULL;
    }
    b->per_ms = per_minute / 60000.0;
    b->burst = burst;
    b->tokens = burst;
    b->last_ms = mono_ms();
    return b;
}

void prov_http_bucket_destroy(prov_http_bucket_t *b)
{
    if (b == NULL) return;
    pthread_mutex_destroy(&b->mu);
    free(b);
}

int64_t prov_http_bucket_wait_ms(prov_http_bucket_t *b)
{
    if (b == NULL) return 0;
    uint64_t now = mono_ms();
    pthread_mutex_lock(&b->mu);
    double tokens = b->tokens + (now > b->last_ms ? (double)(now - b->last_ms) * b->per_ms : 0);
    int64_t wait = b->blocked_until_ms > now ? (int64_t)(b->blocked_until_ms - now)
                   : tokens >= 1.0         ? 0
                                           : (int64_t)((1.0 - tokens) / b->per_ms) + 1;
    pthread_mutex_unlock(&b->mu);
    return wait;
}

int64_t prov_http_bucket_take(prov_http_bucket_t *b)
{
    if (b == NULL) return 0;
    uint64_t now = mono_ms();
    int64_t wait = 0;
    pthread_mutex_lock(&b->mu);
    if (now > b->last_ms) {
        b->tokens += (double)(now - b->last_ms) * b->per_ms;
        if (b->tokens > b->burst) b->tokens = b->burst;
        b->last_ms = now;
    }
    if (b->blocked_until_ms > now) {
        wait = (int64_t)(b->blocked_until_ms - now);
    } else if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        wait = (int64_t)((1.0 - b->tokens) / b->per_ms) + 1;
    }
    pthread_mutex_unlock(&b->mu);
    return wait;
}

/* The server said 429: nobody using this credential sends anything before `until` (monotonic ms). */
static void bucket_block(prov_http_bucket_t *b, uint64_t until)
{
    if (b == NULL) return;
    pthread_mutex_lock(&b->mu);
    if (until > b->blocked_until_ms) b->blocked_until_ms = until;
    b->tokens = 0;
    b->last_ms = mono_ms();
    pthread_mutex_unlock(&b->mu);
}

/* ---- types ------------------------------------------------------------------------------------------------ */

typedef enum tstate { T_NEW, T_QUEUED, T_RATE_WAIT, T_BACKOFF, T_RUNNING, T_DONE } tstate_t;

typedef struct transfer transfer_t;

typedef struct cred {
    struct cred *next;
    char *name;
    int in_flight, max_in_flight;
    transfer_t *qhead, *qtail;
    size_t queued;
    bool pumping;
} cred_t;

struct prov_http_req {
    transfer_t *t; /* NULL once its callback has started */
    prov_http_req_t *next;
    prov_http_cb cb;
    void *data;
};

struct transfer {
    prov_http_t *http;
    cred_t *cred;
    transfer_t *prev, *next; /* http->transfers */
    transfer_t *qnext;       /* cred queue */
    tstate_t state;
    bool has_slot, in_multi, coalesce, finished;
    prov_http_req_t *subs;
    size_t sub_count;
    uv_timer_t timer;

    char *method, *url, *body;
    size_t body_len;
    struct curl_slist *headers;
    prov_http_bucket_t *bucket;
    int connect_timeout_ms;
    size_t max_bytes;
    bool idempotent;
    bool public_only, refused; /* refused: a resolved address was not public */
    uint64_t deadline; /* uv_now() ms */
    int attempts;
    fd_mx_provider_t metric_provider; /* the request's (http_client.h) */
    fd_mx_emr_op_t metric_op;
    uint64_t started_ns; /* uv_hrtime() at the request */

    CURL *easy;
    char *buf;
    size_t len, cap;
    bool too_large;
    long code;
    char location[PROV_HTTP_HEADER_VALUE_CAP], retry_after[64], ratelimit_reset[64];
    int64_t retry_after_ms;
};

typedef struct sock {
    uv_poll_t poll;
    curl_socket_t fd;
    prov_http_t *http;
    struct sock *prev, *next;
} sock_t;

struct prov_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    transfer_t *transfers;
    sock_t *socks;
    cred_t *creds;
    size_t cred_count;
    CURL *pool[EASY_POOL_MAX];
    int pool_count;
    int open_handles; /* uv handles not yet closed */
    bool closing;
    uint64_t rng;
    uint64_t upstream_attempts, coalesced;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void maybe_free_http(prov_http_t *http)
{
    if (!http->closing || http->open_handles > 0) return;
    cred_t *c = http->creds;
    while (c != NULL) {
        cred_t *next = c->next;
        free(c->name);
        free(c);
        c = next;
    }
    free(http);
}

static void start_attempt(transfer_t *t);
static void finish(transfer_t *t, prov_http_status_t status);
static void acquire_and_start(transfer_t *t);

/* ---- curl <-> uv glue --------------------------------------------------------------------------------------- */

static void check_multi_info(prov_http_t *http);

static void on_sock_closed(uv_handle_t *h)
{
    sock_t *s = h->data;
    prov_http_t *http = s->http;
    free(s);
    http->open_handles--;
    maybe_free_http(http);
}

static void sock_close(sock_t *s)
{
    prov_http_t *http = s->http;
    if (s->prev != NULL) s->prev->next = s->next;
    else http->socks = s->next;
    if (s->next != NULL) s->next->prev = s->prev;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    sock_t *s = p->data;
    prov_http_t *http = s->http;
    int flags = 0;
    if (status < 0) flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    }
    int running = 0;
    curl_multi_socket_action(http->multi, s->fd, flags, &running);
    check_multi_info(http);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    prov_http_t *http = userp;
    sock_t *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            curl_multi_assign(http->multi, fd, NULL);
            sock_close(s); /* stop polling before curl closes the fd */
        }
        return 0;
    }
    if (s == NULL) {
        if (http->closing) return -1;
        s = calloc(1, sizeof(*s));
        if (s == NULL) return -1;
        if (uv_poll_init_socket(http->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->http = http;
        s->poll.data = s;
        s->next = http->socks;
        if (http->socks != NULL) http->socks->prev = s;
        http->socks = s;
        http->open_handles++;
        curl_multi_assign(http->multi, fd, s);
    }
    int events = 0;
    if (what & CURL_POLL_IN) events |= UV_READABLE;
    if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
    return uv_poll_start(&s->poll, events, on_poll) == 0 ? 0 : -1;
}

static void on_multi_timeout(uv_timer_t *timer)
{
    prov_http_t *http = timer->data;
    int running = 0;
    curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_multi_info(http); /* always drain, even when nothing runs any more */
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    prov_http_t *http = userp;
    if (http->closing) return 0;
    if (timeout_ms < 0) uv_timer_stop(&http->timer);
    else uv_timer_start(&http->timer, on_multi_timeout, (uint64_t)timeout_ms, 0); /* 0 ms: next iteration */
    return 0;
}

/* ---- response capture --------------------------------------------------------------------------------------- */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userp)
{
    transfer_t *t = userp;
    size_t n = size * nmemb;
    if (n > t->max_bytes - t->len) {
        t->too_large = true;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1) cap *= 2;
        if (cap > t->max_bytes + 1) cap = t->max_bytes + 1;
        char *grown = realloc(t->buf, cap);
        if (grown == NULL) return 0;
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, ptr, n);
    t->len += n;
    t->buf[t->len] = '\0';
    return n;
}

static void copy_header_value(char *dst, size_t cap, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t')) v++, n--;
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userp)
{
    transfer_t *t = userp;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) { /* a new response (e.g. after 100 Continue) */
        t->location[0] = t->retry_after[0] = t->ratelimit_reset[0] = '\0';
        return n;
    }
    const char *colon = memchr(ptr, ':', n);
    if (colon == NULL) return n;
    size_t name_len = (size_t)(colon - ptr);
    const char *v = colon + 1;
    size_t vlen = n - name_len - 1;
    if (name_len == 8 && strncasecmp(ptr, "Location", 8) == 0)
        copy_header_value(t->location, sizeof(t->location), v, vlen);
    else if (name_len == 11 && strncasecmp(ptr, "Retry-After", 11) == 0)
        copy_header_value(t->retry_after, sizeof(t->retry_after), v, vlen);
    else if (name_len == 17 && strncasecmp(ptr, "X-RateLimit-Reset", 17) == 0)
        copy_header_value(t->ratelimit_reset, sizeof(t->ratelimit_reset), v, vlen);
    return n;
}

/* Non-negative decimal integer, or -1. */
static int64_t parse_uint(const char *s)
{
    if (*s < '0' || *s > '9') return -1;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (INT64_MAX - 9) / 10) return -1;
        v = v * 10 + (*s - '0');
    }
    return *s == '\0' ? v : -1;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate) -> epoch ms, or -1. */
static int64_t parse_http_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4] = {0};
    int day, year, hh, mm, ss;
    const char *comma = strchr(s, ',');
    if (comma == NULL) return -1;
    if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d", &day, mon, &year, &hh, &mm, &ss) != 6) return -1;
    const char *m = strstr(months, mon);
    if (m == NULL || strlen(mon) != 3 || (m - months) % 3 != 0) return -1;
    int month = (int)(m - months) / 3 + 1;
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970) return -1;
    return ((days_from_civil(year, month, day) * 24 + hh) * 60 + mm) * 60000 + ss * 1000;
}

/* How long the server asked us to wait (ms), or -1 when it did not say. */
static int64_t server_wait_ms(const transfer_t *t)
{
    if (t->retry_after[0] != '\0') {
        int64_t secs = parse_uint(t->retry_after);
        if (secs >= 0) return secs > 86400 ? 86400000 : secs * 1000;
        int64_t at = parse_http_date(t->retry_after);
        if (at >= 0) return at > tz_now() ? at - tz_now() : 0;
    }
    if (t->ratelimit_reset[0] != '\0') {
        int64_t reset = parse_uint(t->ratelimit_reset);
        if (reset >= 0 && reset < INT64_MAX / 1000) {
            int64_t w = reset * 1000 - tz_now();
            return w > 0 ? (w > 86400000 ? 86400000 : w) : 0;
        }
    }
    return -1;
}

/* ---- credentials, queueing ---------------------------------------------------------------------------------- */

static cred_t *cred_get(prov_http_t *http, const char *name, int max_in_flight)
{
    for (cred_t *c = http->creds; c != NULL; c = c->next)
        if (strcmp(c->name, name) == 0) {
            c->max_in_flight = max_in_flight;
            return c;
        }
    if (http->cred_count >= MAX_CREDENTIALS) return NULL;
    cred_t *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->name = strdup(name)) == NULL) {
        free(c);
        return NULL;
    }
    c->max_in_flight = max_in_flight;
    c->next = http->creds;
    http->creds = c;
    http->cred_count++;
    return c;
}

static void queue_remove(cred_t *c, transfer_t *t)
{
    transfer_t **pp = &c->qhead, *prev = NULL;
    while (*pp != NULL && *pp != t) prev = *pp, pp = &(*pp)->qnext;
    if (*pp == NULL) return;
    *pp = t->qnext;
    if (c->qtail == t) c->qtail = prev;
    t->qnext = NULL;
    c->queued--;
}

/* Gives waiting transfers the in-flight slots that are free. */
static void pump(cred_t *c, prov_http_t *http)
{
    if (c->pumping || http->closing) return;
    c->pumping = true;
    while (c->in_flight < c->max_in_flight && c->qhead != NULL) {
        transfer_t *t = c->qhead;
        queue_remove(c, t);
        uv_timer_stop(&t->timer);
        c->in_flight++;
        t->has_slot = true;
        acquire_and_start(t);
    }
    c->pumping = false;
}

static void on_transfer_timer(uv_timer_t *timer);

static void arm(transfer_t *t, tstate_t state, uint64_t ms)
{
    t->state = state;
    uv_timer_start(&t->timer, on_transfer_timer, ms, 0);
}

/* Takes a rate token, then starts; or waits for one when that fits in the deadline; or fails. */
static void acquire_and_start(transfer_t *t)
{
    int64_t wait = prov_http_bucket_take(t->bucket);
    if (wait == 0) {
        start_attempt(t);
        return;
    }
    uint64_t now = uv_now(t->http->loop);
    if (now + (uint64_t)wait + RETRY_MARGIN_MS < t->deadline) {
        arm(t, T_RATE_WAIT, (uint64_t)wait);
        return;
    }
    t->retry_after_ms = wait;
    finish(t, PROV_HTTP_RATE_LIMITED);
}

static void admit(transfer_t *t)
{
    cred_t *c = t->cred;
    if (c->in_flight < c->max_in_flight && c->qhead == NULL) {
        c->in_flight++;
        t->has_slot = true;
        acquire_and_start(t);
        return;
    }
    if (c->queued >= PROV_HTTP_MAX_QUEUED) {
        finish(t, PROV_HTTP_UNAVAILABLE);
        return;
    }
    t->qnext = NULL;
    if (c->qtail != NULL) c->qtail->qnext = t;
    else c->qhead = t;
    c->qtail = t;
    c->queued++;
    uint64_t now = uv_now(t->http->loop);
    arm(t, T_QUEUED, t->deadline > now ? t->deadline - now : 0);
}

static void on_transfer_timer(uv_timer_t *timer)
{
    transfer_t *t = timer->data;
    switch (t->state) {
    case T_NEW:
        admit(t);
        break;
    case T_QUEUED: /* the deadline passed while waiting for a slot */
        queue_remove(t->cred, t);
        finish(t, PROV_HTTP_TIMEOUT);
        break;
    case T_RATE_WAIT:
    case T_BACKOFF:
        acquire_and_start(t);
        break;
    case T_DONE:
    case T_RUNNING:
        break;
    }
}

/* public_only: the socket is opened only for a public address, so a name resolving to our network is refused. */
static curl_socket_t on_open_socket(void *userp, curlsocktype purpose, struct curl_sockaddr *address)
{
    transfer_t *t = userp;
    if (purpose != CURLSOCKTYPE_IPCXN || !prov_addr_is_public(&address->addr)) {
        t->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* ---- attempts ---------------------------------------------------------------------------------------------- */

static CURL *easy_get(prov_http_t *http)
{
    if (http->pool_count > 0) return http->pool[--http->pool_count];
    return curl_easy_init();
}

static void easy_put(prov_http_t *http, CURL *e)
{
    if (http->pool_count < EASY_POOL_MAX && !http->closing) {
        curl_easy_reset(e);
        http->pool[http->pool_count++] = e;
    } else {
        curl_easy_cleanup(e);
    }
}

static void detach_easy(transfer_t *t)
{
    if (t->easy == NULL) return;
    if (t->in_multi) curl_multi_remove_handle(t->http->multi, t->easy);
    t->in_multi = false;
    easy_put(t->http, t->easy);
    t->easy = NULL;
}

static void start_attempt(transfer_t *t)
{
    prov_http_t *http = t->http;
    uint64_t now = uv_now(http->loop);
    if (now + 1 >= t->deadline) {
        finish(t, PROV_HTTP_TIMEOUT);
        return;
    }
    long remaining = (long)(t->deadline - now);
    CURL *e = easy_get(http);
    if (e == NULL) {
        finish(t, PROV_HTTP_ERROR);
        return;
    }
    t->easy = e;
    t->len = 0;
    if (t->buf != NULL) t->buf[0] = '\0';
    t->too_large = false;
    t->code = 0;
    t->location[0] = t->retry_after[0] = t->ratelimit_reset[0] = '\0';

    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *)t);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)t->connect_timeout_ms < remaining ? (long)t->connect_timeout_ms : remaining);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, remaining);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_bytes);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    /* libcurl silently sends a request again when a reused connection dies before any answer byte. For a write
     * that committed upstream and lost its answer, that second send is a second booking: writes get a fresh
     * connection (which libcurl never resends on), and a dropped one is reported as an unknown outcome. A GET
     * sent twice does no harm. */
    if (!t->idempotent && strcmp(t->method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    if (t->public_only) {
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, (void *)t);
    }
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (strcmp(t->method, "GET") == 0 && t->body == NULL) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(t->method, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
        if (t->body != NULL || strcmp(t->method, "DELETE") != 0) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body != NULL ? t->body : "");
        }
    }
    if (curl_multi_add_handle(http->multi, e) != CURLM_OK) {
        detach_easy(t);
        finish(t, PROV_HTTP_ERROR);
        return;
    }
    t->in_multi = true;
    t->state = T_RUNNING;
    t->attempts++;
    http->upstream_attempts++;
}

static uint64_t next_random(prov_http_t *http)
{
    uint64_t x = http->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return http->rng = x;
}

/* Schedules another attempt after `wait` ms when it fits before the deadline. */
static bool retry_after(transfer_t *t, uint64_t wait)
{
    uint64_t now = uv_now(t->http->loop);
    if (t->attempts >= PROV_HTTP_MAX_ATTEMPTS || now + wait + RETRY_MARGIN_MS >= t->deadline) return false;
    arm(t, T_BACKOFF, wait);
    return true;
}

static uint64_t backoff_ms(transfer_t *t)
{
    uint64_t base = (uint64_t)BACKOFF_BASE_MS << (t->attempts > 1 ? t->attempts - 1 : 0);
    return base / 2 + next_random(t->http) % (base / 2 + 1); /* [base/2, base] */
}

static void attempt_done(transfer_t *t, CURLcode rc)
{
    prov_http_t *http = t->http;
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    detach_easy(t);
    t->code = rc == CURLE_OK ? code : 0;
    if (rc == CURLE_OK) {
        if (code == 429) {
            int64_t wait = server_wait_ms(t);
            bool told = wait >= 0;
            if (!told) wait = DEFAULT_429_WAIT_MS;
            t->retry_after_ms = wait;
            bucket_block(t->bucket, mono_ms() + (uint64_t)wait);
            if (retry_after(t, (uint64_t)wait)) return;
            finish(t, PROV_HTTP_RATE_LIMITED);
            return;
        }
        t->retry_after_ms = server_wait_ms(t);
        if (t->idempotent && (code == 502 || code == 503 || code == 504)) {
            uint64_t wait = backoff_ms(t);
            if (t->retry_after_ms > (int64_t)wait) wait = (uint64_t)t->retry_after_ms;
            if (retry_after(t, wait)) return;
        }
        finish(t, PROV_HTTP_OK);
        return;
    }
    if (t->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        finish(t, PROV_HTTP_TOO_LARGE);
        return;
    }
    uint64_t now = uv_now(http->loop);
    bool deadline_hit = now + 5 >= t->deadline;
    bool not_sent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                    rc == CURLE_COULDNT_RESOLVE_PROXY || (rc == CURLE_OPERATION_TIMEDOUT && !deadline_hit);
    bool dropped = rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
                   rc == CURLE_PARTIAL_FILE;
    if (rc == CURLE_OPERATION_TIMEDOUT && deadline_hit) {
        finish(t, PROV_HTTP_TIMEOUT);
        return;
    }
    if ((not_sent || dropped) && (t->idempotent || not_sent)) {
        if (t->idempotent && retry_after(t, backoff_ms(t))) return;
        finish(t, PROV_HTTP_UNAVAILABLE);
        return;
    }
    /* A write whose connection dropped after sending: the outcome upstream is unknown, like a timeout. */
    finish(t, dropped ? PROV_HTTP_TIMEOUT : PROV_HTTP_ERROR);
}

static void check_multi_info(prov_http_t *http)
{
    CURLMsg *msg;
    int pending;
    while ((msg = curl_multi_info_read(http->multi, &pending)) != NULL) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURLcode rc = msg->data.result; /* read before remove_handle invalidates msg */
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        transfer_t *t = (transfer_t *)(void *)priv;
        if (t == NULL || t->easy != msg->easy_handle) continue;
        attempt_done(t, rc);
    }
}

/* ---- completion --------------------------------------------------------------------------------------------- */

static void on_transfer_closed(uv_handle_t *h)
{
    transfer_t *t = h->data;
    prov_http_t *http = t->http;
    free(t->method);
    free(t->url);
    free(t->body);
    free(t->buf);
    curl_slist_free_all(t->headers);
    free(t);
    http->open_handles--;
    maybe_free_http(http);
}

static void unlink_transfer(transfer_t *t)
{
    prov_http_t *http = t->http;
    if (t->prev != NULL) t->prev->next = t->next;
    else if (http->transfers == t) http->transfers = t->next;
    if (t->next != NULL) t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

/* Ends a transfer: releases what it holds, answers every subscriber, and closes it. */
/* How a transfer ended, for the EMR call counters. */
static fd_mx_emr_outcome_t outcome_of(const prov_http_response_t *r)
{
    switch (r->status) {
    case PROV_HTTP_OK:
        if (r->code >= 200 && r->code < 300) return FD_MX_EMR_OUTCOME_OK;
        if (r->code == 429) return FD_MX_EMR_OUTCOME_RATE_LIMITED;
        return r->code >= 400 && r->code < 500 ? FD_MX_EMR_OUTCOME_CLIENT_ERROR : FD_MX_EMR_OUTCOME_SERVER_ERROR;
    case PROV_HTTP_TIMEOUT: return FD_MX_EMR_OUTCOME_TIMEOUT;
    case PROV_HTTP_UNAVAILABLE: return FD_MX_EMR_OUTCOME_UNAVAILABLE;
    case PROV_HTTP_RATE_LIMITED: return FD_MX_EMR_OUTCOME_RATE_LIMITED;
    case PROV_HTTP_CANCELLED: return FD_MX_EMR_OUTCOME_CANCELLED;
    default: return FD_MX_EMR_OUTCOME_ERROR;
    }
}

static void finish(transfer_t *t, prov_http_status_t status)
{
    if (t->finished) return;
    t->finished = true;
    uv_timer_stop(&t->timer);
    detach_easy(t);
    if (t->state == T_QUEUED) queue_remove(t->cred, t);
    t->state = T_DONE;
    unlink_transfer(t);
    if (t->has_slot) {
        t->has_slot = false;
        t->cred->in_flight--;
        pump(t->cred, t->http);
    }
    prov_http_response_t r = {
        .status = status,
        .code = t->code,
        .body = status == PROV_HTTP_OK && t->buf != NULL ? t->buf : "",
        .body_len = status == PROV_HTTP_OK ? t->len : 0,
        .location = status == PROV_HTTP_OK && t->location[0] != '\0' ? t->location : NULL,
        .retry_after_ms = t->retry_after_ms,
        .attempts = t->attempts,
        .shared = t->sub_count > 1,
        .address_refused = t->refused && status != PROV_HTTP_OK,
    };
    fd_mx_emr_call(t->metric_provider, t->metric_op, outcome_of(&r), (uv_hrtime() - t->started_ns) / 1000u);
    prov_http_req_t *s;
    while ((s = t->subs) != NULL) {
        t->subs = s->next;
        s->t = NULL;
        s->cb(&r, s->data);
        free(s);
    }
    uv_close((uv_handle_t *)&t->timer, on_transfer_closed);
}

/* ---- public API --------------------------------------------------------------------------------------------- */

prov_http_t *prov_http_create(uv_loop_t *loop)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_result != CURLE_OK || loop == NULL) return NULL;
    prov_http_t *http = calloc(1, sizeof(*http));
    if (http == NULL) return NULL;
    http->loop = loop;
    http->rng = uv_hrtime() | 1;
    http->multi = curl_multi_init();
    if (http->multi == NULL || uv_timer_init(loop, &http->timer) != 0) {
        if (http->multi != NULL) curl_multi_cleanup(http->multi);
        free(http);
        return NULL;
    }
    http->timer.data = http;
    http->open_handles = 1;
    curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, (void *)http);
    curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, (void *)http);
    curl_multi_setopt(http->multi, CURLMOPT_MAXCONNECTS, 32L);
    return http;
}

static void on_http_timer_closed(uv_handle_t *h)
{
    prov_http_t *http = h->data;
    http->open_handles--;
    maybe_free_http(http);
}

void prov_http_destroy(prov_http_t *http)
{
    if (http == NULL || http->closing) return;
    http->closing = true;
    while (http->transfers != NULL) finish(http->transfers, PROV_HTTP_CANCELLED);
    for (int i = 0; i < http->pool_count; i++) curl_easy_cleanup(http->pool[i]);
    http->pool_count = 0;
    while (http->socks != NULL) {
        curl_multi_assign(http->multi, http->socks->fd, NULL);
        sock_close(http->socks);
    }
    curl_multi_cleanup(http->multi); /* closes the cached connections: their polls are stopped already */
    http->multi = NULL;
    uv_timer_stop(&http->timer);
    uv_close((uv_handle_t *)&http->timer, on_http_timer_closed);
}

int prov_http_request(prov_http_t *http, const prov_http_request_t *rq, prov_http_cb cb, void *data,
                      prov_http_req_t **handle)
{
    if (handle != NULL) *handle = NULL;
    if (http == NULL || http->closing || rq == NULL || cb == NULL || rq->method == NULL || rq->url == NULL ||
        (strncmp(rq->url, "http://", 7) != 0 && strncmp(rq->url, "https://", 8) != 0))
        return -1;
    const char *cred_name = rq->credential != NULL ? rq->credential : "";
    int max_in_flight = rq->max_in_flight > 0 ? rq->max_in_flight : PROV_HTTP_MAX_IN_FLIGHT;
    bool coalesce = rq->idempotent && strcmp(rq->method, "GET") == 0 && rq->body == NULL && !rq->public_only;
    prov_http_req_t *sub = calloc(1, sizeof(*sub));
    if (sub == NULL) return -1;
    sub->cb = cb;
    sub->data = data;

    if (coalesce)
        for (transfer_t *t = http->transfers; t != NULL; t = t->next)
            if (t->coalesce && t->state != T_DONE && strcmp(t->cred->name, cred_name) == 0 &&
                strcmp(t->url, rq->url) == 0) {
                sub->t = t;
                sub->next = t->subs;
                t->subs = sub;
                t->sub_count++;
                http->coalesced++;
                if (handle != NULL) *handle = sub;
                return 0;
            }

    cred_t *cred = cred_get(http, cred_name, max_in_flight);
    transfer_t *t = cred != NULL ? calloc(1, sizeof(*t)) : NULL;
    if (t == NULL) goto fail;
    t->http = http;
    t->cred = cred;
    t->coalesce = coalesce;
    t->idempotent = rq->idempotent;
    t->public_only = rq->public_only;
    t->bucket = rq->bucket;
    t->connect_timeout_ms = rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : PROV_HTTP_CONNECT_TIMEOUT_MS;
    t->max_bytes = rq->max_response_bytes > 0 ? rq->max_response_bytes : PROV_HTTP_MAX_RESPONSE;
    t->deadline = uv_now(http->loop) + (uint64_t)(rq->timeout_ms > 0 ? rq->timeout_ms : PROV_HTTP_TIMEOUT_MS);
    t->metric_provider = rq->metric_provider;
    t->metric_op = rq->metric_op;
    t->started_ns = uv_hrtime();
    t->retry_after_ms = -1;
    t->method = strdup(rq->method);
    t->url = strdup(rq->url);
    if (t->method == NULL || t->url == NULL) goto fail_t;
    if (rq->body != NULL) {
        t->body = malloc(rq->body_len + 1);
        if (t->body == NULL) goto fail_t;
        memcpy(t->body, rq->body, rq->body_len);
        t->body[rq->body_len] = '\0';
        t->body_len = rq->body_len;
    }
    for (const char *const *h = rq->headers; h != NULL && *h != NULL; h++) {
        struct curl_slist *l = curl_slist_append(t->headers, *h);
        if (l == NULL) goto fail_t;
        t->headers = l;
    }
    struct curl_slist *l = curl_slist_append(t->headers, "Expect:");
    if (l == NULL) goto fail_t;
    t->headers = l;
    if (uv_timer_init(http->loop, &t->timer) != 0) goto fail_t;
    http->open_handles++;
    t->timer.data = t;
    sub->t = t;
    t->subs = sub;
    t->sub_count = 1;
    t->next = http->transfers;
    if (http->transfers != NULL) http->transfers->prev = t;
    http->transfers = t;
    arm(t, T_NEW, 0); /* admission on the next iteration: never call back from inside this call */
    if (handle != NULL) *handle = sub;
    return 0;

fail_t:
    free(t->method);
    free(t->url);
    free(t->body);
    curl_slist_free_all(t->headers);
    free(t);
fail:
    free(sub);
    return -1;
}

void prov_http_cancel(prov_http_req_t *sub)
{
    if (sub == NULL) return;
    transfer_t *t = sub->t;
    if (t == NULL) return; /* its callback is running: nothing left to withdraw */
    prov_http_req_t **pp = &t->subs;
    while (*pp != NULL && *pp != sub) pp = &(*pp)->next;
    if (*pp != NULL) *pp = sub->next;
    free(sub);
    if (t->subs == NULL && !t->finished) finish(t, PROV_HTTP_CANCELLED); /* nobody to answer */
}

void prov_http_stats(const prov_http_t *http, uint64_t *upstream_attempts, uint64_t *coalesced)
{
    if (upstream_attempts != NULL) *upstream_attempts = http->upstream_attempts;
    if (coalesced != NULL) *coalesced = http->coalesced;
}
