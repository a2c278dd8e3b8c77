/* providers/cliniko.c: the `cliniko` EMR: Cliniko's REST API (https://api.<shard>.cliniko.com/v1) behind the
 * provider interface, over the worker's shared HTTP client (providers/http_client.h).
 *
 * One instance per tenant, shared by every worker: its settings are immutable after create, its rate bucket
 * is thread-safe, and the account's time zone learnt from /settings sits behind a mutex. Each operation is a
 * small job on the calling worker's loop that issues at most JOB_PARALLEL requests at once (the fan-out of a
 * catalog or a month of availability stays under the clinic's rate budget), decodes with cliniko_decode.c,
 * and calls back exactly once. Nothing from Cliniko's error bodies is kept or logged; the API key only ever
 * appears inside the Authorization header. */
#include "providers/provider.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/cliniko_decode.h"
#include "providers/http_client.h"
#include "tz/tz.h"
#include "tz/tz_names.h"

#define URL_CAP PROV_CLINIKO_URL_CAP
#define JOB_PARALLEL 4
#define MAX_PAGES 50        /* per list: 5,000 records at per_page=100 */
#define MAX_TASKS 4096      /* per job */
#define AVAIL_WINDOW_DAYS 7 /* Cliniko refuses longer from..to ranges */
#define DEFAULT_USER_AGENT "Frontdesk (ops@frontdesk.example)"
#define DEFAULT_RATE 200

typedef struct cliniko {
    char *tenant_id;
    char base_url[512];
    char *auth_header; /* "Authorization: Basic ..." (the key: zeroed on destroy) */
    char *ua_header;
    char credential[40]; /* "cliniko:<hash of the key>": one budget per Cliniko user, whatever the tenant */
    prov_http_bucket_t *bucket;
    bk_strings_t business_ids; /* empty = every business */
    int timeout_ms, connect_timeout_ms, max_in_flight;
    pthread_mutex_t mu;
    char account_tz[TZ_NAME_ID_CAP]; /* IANA, "" until /settings was read */
    char country[3];
} cliniko_t;

/* ---- create / destroy --------------------------------------------------------------------------------------- */

static void cliniko_destroy(void *instance)
{
    cliniko_t *c = instance;
    if (c == NULL) return;
    if (c->auth_header != NULL) {
        explicit_bzero(c->auth_header, strlen(c->auth_header));
        free(c->auth_header);
    }
    free(c->ua_header);
    free(c->tenant_id);
    prov_http_bucket_destroy(c->bucket);
    for (size_t i = 0; i < c->business_ids.count; i++) free(c->business_ids.items[i]);
    free(c->business_ids.items);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return false;
    return true;
}

static char *basic_auth_header(const char *key)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t kl = strlen(key), n = kl + 1; /* key + ':' */
    size_t cap = 32 + 4 * ((n + 2) / 3) + 1;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    size_t o = (size_t)snprintf(out, cap, "Authorization: Basic ");
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = 0;
        for (size_t j = 0; j < 3; j++) {
            unsigned char ch = i + j < kl ? (unsigned char)key[i + j] : (i + j == kl ? ':' : 0);
            v = v << 8 | ch;
        }
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static int get_int_setting(json_object *v, const char *name, long lo, long hi, int *out, char *why, size_t cap)
{
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < lo || json_object_get_int64(v) > hi) {
        snprintf(why, cap, "provider_settings.%s: must be an integer from %ld to %ld", name, lo, hi);
        return -1;
    }
    *out = (int)json_object_get_int64(v);
    return 0;
}

static void *cliniko_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why,
                            size_t why_cap)
{
    cliniko_t *c = calloc(1, sizeof(*c));
    char *key = NULL;
    if (c == NULL) goto oom;
    pthread_mutex_init(&c->mu, NULL);
    if ((c->tenant_id = strdup(tenant_id)) == NULL) goto oom;
    c->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    c->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    c->max_in_flight = PROV_HTTP_MAX_IN_FLIGHT;
    int rate = DEFAULT_RATE;
    const char *ua = DEFAULT_USER_AGENT, *base = NULL, *key_src = NULL;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap, "provider_settings: an object with api_key (or api_key_env) is required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        if (strcmp(name, "api_key") == 0 || strcmp(name, "api_key_env") == 0) {
            if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
                snprintf(why, why_cap, "provider_settings.%s: must be a non-empty string", name);
                goto fail;
            }
            if (key_src != NULL) {
                snprintf(why, why_cap, "provider_settings.%s: give api_key or api_key_env, not both", name);
                goto fail;
            }
            key_src = name;
            const char *val = json_object_get_string(v);
            if (strcmp(name, "api_key_env") == 0) {
                val = getenv(val);
                if (val == NULL || val[0] == '\0') {
                    snprintf(why, why_cap, "provider_settings.api_key_env: the environment variable %.64s is not set",
                             json_object_get_string(v));
                    goto fail;
                }
            }
            if ((key = strdup(val)) == NULL) goto oom;
        } else if (strcmp(name, "base_url") == 0) {
            base = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
            size_t bl = strlen(base);
            if ((strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0) || bl >= 400 ||
                !printable(base) || strchr(base, ' ') != NULL || strchr(base, '?') != NULL) {
                snprintf(why, why_cap, "provider_settings.base_url: must be an http(s):// URL without a query");
                goto fail;
            }
        } else if (strcmp(name, "user_agent") == 0) {
            ua = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
            if (ua[0] == '\0' || strlen(ua) > 200 || !printable(ua)) {
                snprintf(why, why_cap,
                         "provider_settings.user_agent: must be a non-empty printable string like "
                         "\"Frontdesk (ops@example.com)\" (Cliniko blocks requests without one)");
                goto fail;
            }
        } else if (strcmp(name, "rate_limit_per_minute") == 0) {
            if (get_int_setting(v, name, 1, 100000, &rate, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "timeout_ms") == 0) {
            if (get_int_setting(v, name, 100, 60000, &c->timeout_ms, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "connect_timeout_ms") == 0) {
            if (get_int_setting(v, name, 50, 30000, &c->connect_timeout_ms, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "max_in_flight") == 0) {
            if (get_int_setting(v, name, 1, 64, &c->max_in_flight, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "business_ids") == 0) {
            size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
            if (n == 0) {
                snprintf(why, why_cap, "provider_settings.business_ids: must be a non-empty list of business IDs");
                goto fail;
            }
            for (size_t i = 0; i < n; i++) {
                char id[PROV_CLINIKO_ID_CAP];
                if (prov_cliniko_id(json_object_array_get_idx(v, i), id, sizeof(id)) != 0) {
                    snprintf(why, why_cap, "provider_settings.business_ids[%zu]: not a Cliniko ID", i);
                    goto fail;
                }
                if (bk_strings_push(&c->business_ids, id) != 0) goto oom;
            }
        } else {
            snprintf(why, why_cap, "provider_settings.%.64s: unknown setting for cliniko", name);
            goto fail;
        }
    }
    if (key == NULL) {
        snprintf(why, why_cap, "provider_settings.api_key: required (or api_key_env naming a variable holding it)");
        goto fail;
    }
    if (strlen(key) > 512 || !printable(key) || strchr(key, ' ') != NULL) {
        snprintf(why, why_cap, "provider_settings.%s: the key has characters an API key cannot have", key_src);
        goto fail;
    }
    if (base != NULL) {
        size_t bl = strlen(base);
        while (bl > 0 && base[bl - 1] == '/') bl--;
        memcpy(c->base_url, base, bl);
        c->base_url[bl] = '\0';
    } else if (prov_cliniko_base_url_for_key(key, c->base_url, sizeof(c->base_url)) != 0) {
        snprintf(why, why_cap,
                 "provider_settings.%s: the key's suffix after the last '-' is not a Cliniko shard like au1 or uk1",
                 key_src);
        goto fail;
    }
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the key: a budget id that reveals nothing */
    for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    snprintf(c->credential, sizeof(c->credential), "cliniko:%016llx", (unsigned long long)h);
    c->auth_header = basic_auth_header(key);
    size_t ul = strlen(ua) + sizeof("User-Agent: ");
    c->ua_header = malloc(ul);
    if (c->auth_header == NULL || c->ua_header == NULL) goto oom;
    snprintf(c->ua_header, ul, "User-Agent: %s", ua);
    /* Stay under Cliniko's per-minute count in any window: 90% sustained plus a burst of a tenth. */
    int burst = rate / 10 > 1 ? rate / 10 : 1;
    c->bucket = prov_http_bucket_create(rate * 0.9 > 1 ? rate * 0.9 : 1, burst);
    if (c->bucket == NULL) goto oom;
    explicit_bzero(key, strlen(key));
    free(key);
    return c;
oom:
    snprintf(why, why_cap, "provider_settings: out of memory");
fail:
    if (key != NULL) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
    cliniko_destroy(c);
    return NULL;
}

static int cliniko_knows_location(void *instance, const char *location_id)
{
    cliniko_t *c = instance;
    if (c->business_ids.count > 0 && !bk_strings_contains(&c->business_ids, location_id)) return 0;
    return -1; /* Cliniko must be asked */
}

/* ---- requests ----------------------------------------------------------------------------------------------- */

static int send_request(cliniko_t *c, prov_env_t *env, const char *method, const char *url, const char *body,
                        bool idempotent, prov_http_cb cb, void *data)
{
    if (env == NULL || env->http == NULL) return -1;
    const char *headers[] = {c->auth_header, "Accept: application/json", c->ua_header,
                             body != NULL ? "Content-Type: application/json" : NULL, NULL};
    prov_http_request_t rq = {
        .method = method,
        .url = url,
        .headers = headers,
        .body = body,
        .body_len = body != NULL ? strlen(body) : 0,
        .credential = c->credential,
        .bucket = c->bucket,
        .connect_timeout_ms = c->connect_timeout_ms,
        .timeout_ms = c->timeout_ms,
        .max_in_flight = c->max_in_flight,
        .idempotent = idempotent,
    };
    return prov_http_request(env->http, &rq, cb, data, NULL);
}

/* The provider status of an HTTP outcome. `record`: a 404 means the record does not exist. */
static prov_status_t map_status(const prov_http_response_t *r, bool record)
{
    switch (r->status) {
    case PROV_HTTP_OK:
        break;
    case PROV_HTTP_TIMEOUT:
        return PROV_TIMEOUT;
    case PROV_HTTP_UNAVAILABLE:
    case PROV_HTTP_CANCELLED:
        return PROV_UNAVAILABLE;
    case PROV_HTTP_RATE_LIMITED:
        return PROV_RATE_LIMITED;
    case PROV_HTTP_TOO_LARGE:
    case PROV_HTTP_ERROR:
        return PROV_UPSTREAM;
    }
    long code = r->code;
    if (code >= 200 && code < 300) return PROV_OK;
    if (code == 404) return record ? PROV_NOT_FOUND : PROV_UPSTREAM;
    if (code == 422) return PROV_REJECTED;
    if (code == 409) return PROV_CONFLICT;
    if (code == 429) return PROV_RATE_LIMITED;
    return PROV_UPSTREAM; /* 401/403: the clinic's key is wrong; 400, 5xx, anything else */
}

static bool url_join(char *out, const cliniko_t *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool url_join(char *out, const cliniko_t *c, const char *fmt, ...)
{
    size_t bl = strlen(c->base_url);
    memcpy(out, c->base_url, bl + 1);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + bl, URL_CAP - bl, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < URL_CAP - bl;
}

static void format_cliniko_time(int64_t t, char out[TZ_ISO_CAP])
{
    char buf[TZ_ISO_CAP];
    tz_format_utc(t, buf); /* "2026-04-18T13:59:59.999Z" -> "2026-04-18T13:59:59Z" */
    memcpy(out, buf, 19);
    out[19] = 'Z';
    out[20] = '\0';
}

/* Runs fn(arg) on the next loop iteration: for answers known without asking Cliniko. */
typedef struct deferred {
    uv_timer_t timer;
    void (*fn)(void *);
    void *arg;
} deferred_t;

static void on_deferred_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_deferred(uv_timer_t *t)
{
    deferred_t *d = t->data;
    d->fn(d->arg);
    uv_close((uv_handle_t *)&d->timer, on_deferred_closed);
}

static int defer_call(uv_loop_t *loop, void (*fn)(void *), void *arg)
{
    deferred_t *d = calloc(1, sizeof(*d));
    if (d == NULL || loop == NULL || uv_timer_init(loop, &d->timer) != 0) {
        free(d);
        return -1;
    }
    d->fn = fn;
    d->arg = arg;
    d->timer.data = d;
    uv_timer_start(&d->timer, on_deferred, 0, 0);
    return 0;
}

/* ---- paged jobs: a bounded work list of GETs, JOB_PARALLEL at a time ---------------------------------------- */

typedef struct job job_t;
typedef struct task {
    int kind;
    size_t index; /* which business/practitioner/type/window the task is about */
    int page;
    char *url;
} task_t;

/* Handles one successful answer (HTTP 2xx); returns 0, or a provider status to fail the job with. */
typedef prov_status_t (*job_page_fn)(job_t *j, const task_t *t, const prov_http_response_t *r);
/* Called once every task has been answered (or the job failed): may add tasks, else the job ends. */
typedef void (*job_drained_fn)(job_t *j);

struct job {
    cliniko_t *c;
    prov_env_t env;
    job_page_fn on_page;
    job_drained_fn on_drained;
    prov_status_t status;
    task_t *tasks;
    size_t task_count, task_cap, next_task, tasks_total;
    int in_flight;
    bool record_404; /* a 404 means "not found" (else upstream) */
    bool empty_404_rejected; /* a 404 with an empty body means "not bookable online" */
    void *state;     /* the operation's own data */
};

typedef struct task_ctx {
    job_t *job;
    size_t task;
} task_ctx_t;

static int job_add(job_t *j, int kind, size_t index, int page, const char *url)
{
    if (j->tasks_total >= MAX_TASKS || page > MAX_PAGES) return -1;
    if (j->task_count == j->task_cap) {
        size_t cap = j->task_cap ? j->task_cap * 2 : 16;
        task_t *grown = realloc(j->tasks, cap * sizeof(*grown));
        if (grown == NULL) return -1;
        j->tasks = grown;
        j->task_cap = cap;
    }
    char *u = strdup(url);
    if (u == NULL) return -1;
    j->tasks[j->task_count++] = (task_t){kind, index, page, u};
    j->tasks_total++;
    return 0;
}

static void job_pump(job_t *j);

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t') return false;
    return true;
}

static void on_task_answer(const prov_http_response_t *r, void *data)
{
    task_ctx_t *ctx = data;
    job_t *j = ctx->job;
    size_t ti = ctx->task;
    task_t t = j->tasks[ti]; /* a copy: on_page may add tasks, which moves the array */
    free(ctx);
    j->in_flight--;
    if (j->status == PROV_OK) {
        prov_status_t st = map_status(r, j->record_404);
        if (j->empty_404_rejected && r->status == PROV_HTTP_OK && r->code == 404 && blank(r->body, r->body_len))
            st = PROV_REJECTED;
        if (st == PROV_OK) st = j->on_page(j, &t, r);
        if (st != PROV_OK) j->status = st;
    }
    free(j->tasks[ti].url);
    j->tasks[ti].url = NULL;
    job_pump(j);
}

static void job_pump(job_t *j)
{
    while (j->status == PROV_OK && j->in_flight < JOB_PARALLEL && j->next_task < j->task_count) {
        size_t i = j->next_task++;
        task_ctx_t *ctx = malloc(sizeof(*ctx));
        if (ctx == NULL) {
            j->status = PROV_UNAVAILABLE;
            break;
        }
        *ctx = (task_ctx_t){j, i};
        if (send_request(j->c, &j->env, "GET", j->tasks[i].url, NULL, true, on_task_answer, ctx) != 0) {
            free(ctx);
            j->status = PROV_UNAVAILABLE;
            break;
        }
        j->in_flight++;
    }
    if (j->in_flight == 0 && (j->next_task == j->task_count || j->status != PROV_OK)) j->on_drained(j);
}

static void job_free(job_t *j)
{
    for (size_t i = 0; i < j->task_count; i++) free(j->tasks[i].url);
    free(j->tasks);
    free(j);
}

static job_t *job_new(cliniko_t *c, prov_env_t *env, job_page_fn on_page, job_drained_fn on_drained, void *state)
{
    job_t *j = calloc(1, sizeof(*j));
    if (j == NULL) return NULL;
    j->c = c;
    j->env = *env;
    j->on_page = on_page;
    j->on_drained = on_drained;
    j->state = state;
    return j;
}

/* Sends the first tasks of a job: 0 when at least one request is out (the job then ends through on_drained),
 * or -1 when none could be sent (no callback; the caller frees the job and its state). */
static int job_start(job_t *j)
{
    j->in_flight++; /* hold the job open while the first requests go out */
    job_pump(j);
    j->in_flight--;
    return j->in_flight > 0 ? 0 : -1;
}

/* Queues the next page of a list when the answer has links.next. */
static prov_status_t follow_next(job_t *j, const task_t *t, const prov_cliniko_page_t *page)
{
    if (page->next[0] == '\0') return PROV_OK;
    char url[URL_CAP];
    if (prov_cliniko_resolve_next(page->next, j->c->base_url, url, sizeof(url)) != 0) return PROV_UPSTREAM;
    if (job_add(j, t->kind, t->index, t->page + 1, url) != 0) return PROV_UPSTREAM; /* too many pages */
    return PROV_OK;
}

/* ---- catalog ------------------------------------------------------------------------------------------------ */

enum { K_SETTINGS, K_BUSINESSES, K_PRACTITIONERS, K_TYPES, K_BILLABLE, K_BUSINESS_STAFF, K_TYPE_STAFF, K_STAFF_TYPES };

typedef struct type_rec {
    bk_catalog_treatment_t t;
    char billable[PROV_CLINIKO_ID_CAP];
} type_rec_t;

typedef struct billable_rec {
    char id[PROV_CLINIKO_ID_CAP];
    int64_t price;
} billable_rec_t;

typedef struct catalog_state {
    prov_catalog_cb cb;
    void *data;
    int phase;
    prov_cliniko_settings_t settings;
    bool settings_ok;
    prov_cliniko_business_t *biz;
    size_t biz_n, biz_cap;
    bk_staff_t *staff;
    size_t staff_n, staff_cap;
    type_rec_t *types;
    size_t types_n, types_cap;
    billable_rec_t *bill;
    size_t bill_n, bill_cap;
} catalog_state_t;

#define GROW(arr, n, cap)                                                                                       \
    ((n) < (cap) ? 0                                                                                            \
                 : ((cap) = (cap) ? (cap) * 2 : 16,                                                             \
                    (tmp_grow = realloc((arr), (cap) * sizeof(*(arr)))) == NULL ? -1 : ((arr) = tmp_grow, 0)))

static long find_staff(const catalog_state_t *s, const char *id)
{
    for (size_t i = 0; i < s->staff_n; i++)
        if (strcmp(s->staff[i].id, id) == 0) return (long)i;
    return -1;
}

static long find_type(const catalog_state_t *s, const char *id)
{
    for (size_t i = 0; i < s->types_n; i++)
        if (strcmp(s->types[i].t.id, id) == 0) return (long)i;
    return -1;
}

static int link_staff_type(catalog_state_t *s, size_t staff, size_t type)
{
    bk_staff_t *p = &s->staff[staff];
    bk_catalog_treatment_t *t = &s->types[type].t;
    if (!bk_strings_contains(&p->treatment_ids, t->id) && bk_strings_push(&p->treatment_ids, t->id) != 0) return -1;
    if (!bk_strings_contains(&t->staff_ids, p->id) && bk_strings_push(&t->staff_ids, p->id) != 0) return -1;
    return 0;
}

static prov_status_t catalog_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    catalog_state_t *s = j->state;
    void *tmp_grow;
    if (t->kind == K_SETTINGS) {
        s->settings_ok = prov_cliniko_settings_decode(r->body, r->body_len, &s->settings) == 0;
        return s->settings_ok ? PROV_OK : PROV_UPSTREAM;
    }
    static const char *const keys[] = {[K_BUSINESSES] = "businesses", [K_PRACTITIONERS] = "practitioners",
                                       [K_TYPES] = "appointment_types", [K_BILLABLE] = "billable_items",
                                       [K_BUSINESS_STAFF] = "practitioners", [K_TYPE_STAFF] = "practitioners",
                                       [K_STAFF_TYPES] = "appointment_types"};
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, keys[t->kind], &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    for (size_t i = 0; i < page.count && st == PROV_OK; i++) {
        json_object *item = json_object_array_get_idx(page.items, i);
        char id[PROV_CLINIKO_ID_CAP];
        switch (t->kind) {
        case K_BUSINESSES: {
            prov_cliniko_business_t b;
            if (prov_cliniko_business_decode(item, &b) != 0) {
                st = PROV_UPSTREAM;
                break;
            }
            bool keep = !b.archived && b.online &&
                        (j->c->business_ids.count == 0 || bk_strings_contains(&j->c->business_ids, b.loc.id));
            if (!keep) {
                prov_cliniko_business_clear(&b);
            } else if (GROW(s->biz, s->biz_n, s->biz_cap) != 0) {
                prov_cliniko_business_clear(&b);
                st = PROV_UNAVAILABLE;
            } else {
                s->biz[s->biz_n++] = b;
            }
            break;
        }
        case K_PRACTITIONERS: {
            bk_staff_t p;
            bool active;
            if (prov_cliniko_practitioner_decode(item, &p, &active) != 0) {
                st = PROV_UPSTREAM;
            } else if (!active || find_staff(s, p.id) >= 0) {
                prov_cliniko_staff_clear(&p);
            } else if (GROW(s->staff, s->staff_n, s->staff_cap) != 0) {
                prov_cliniko_staff_clear(&p);
                st = PROV_UNAVAILABLE;
            } else {
                s->staff[s->staff_n++] = p;
            }
            break;
        }
        case K_TYPES: {
            type_rec_t tr;
            bool online, archived;
            if (prov_cliniko_appointment_type_decode(item, &tr.t, tr.billable, sizeof(tr.billable), &online,
                                                     &archived) != 0) {
                st = PROV_UPSTREAM;
            } else if (!online || archived || find_type(s, tr.t.id) >= 0) {
                prov_cliniko_treatment_clear(&tr.t);
            } else if (GROW(s->types, s->types_n, s->types_cap) != 0) {
                prov_cliniko_treatment_clear(&tr.t);
                st = PROV_UNAVAILABLE;
            } else {
                s->types[s->types_n++] = tr;
            }
            break;
        }
        case K_BILLABLE: {
            billable_rec_t b;
            if (prov_cliniko_billable_item_decode(item, b.id, sizeof(b.id), &b.price) != 0) break; /* no price */
            if (GROW(s->bill, s->bill_n, s->bill_cap) != 0) st = PROV_UNAVAILABLE;
            else s->bill[s->bill_n++] = b;
            break;
        }
        case K_BUSINESS_STAFF: {
            json_object *idv = NULL;
            if (!json_object_is_type(item, json_type_object) || !json_object_object_get_ex(item, "id", &idv) ||
                prov_cliniko_id(idv, id, sizeof(id)) != 0) {
                st = PROV_UPSTREAM;
                break;
            }
            long p = find_staff(s, id);
            bk_staff_t *staff = p >= 0 ? &s->staff[p] : NULL;
            const char *bid = s->biz[t->index].loc.id;
            if (staff != NULL && !bk_strings_contains(&staff->location_ids, bid) &&
                bk_strings_push(&staff->location_ids, bid) != 0)
                st = PROV_UNAVAILABLE;
            break;
        }
        case K_TYPE_STAFF:
        case K_STAFF_TYPES: {
            json_object *idv = NULL;
            if (!json_object_is_type(item, json_type_object) || !json_object_object_get_ex(item, "id", &idv) ||
                prov_cliniko_id(idv, id, sizeof(id)) != 0) {
                st = PROV_UPSTREAM;
                break;
            }
            long p = t->kind == K_TYPE_STAFF ? find_staff(s, id) : (long)t->index;
            long ty = t->kind == K_TYPE_STAFF ? (long)t->index : find_type(s, id);
            if (p >= 0 && ty >= 0 && link_staff_type(s, (size_t)p, (size_t)ty) != 0) st = PROV_UNAVAILABLE;
            break;
        }
        }
    }
    if (st == PROV_OK) st = follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static void catalog_state_free(catalog_state_t *s)
{
    for (size_t i = 0; i < s->biz_n; i++) prov_cliniko_business_clear(&s->biz[i]);
    for (size_t i = 0; i < s->staff_n; i++) prov_cliniko_staff_clear(&s->staff[i]);
    for (size_t i = 0; i < s->types_n; i++) prov_cliniko_treatment_clear(&s->types[i].t);
    free(s->biz);
    free(s->staff);
    free(s->types);
    free(s->bill);
    free(s);
}

/* Resolves a zone name (IANA or Rails label) to an IANA ID. */
static bool zone_id_of(const char *name, char out[TZ_NAME_ID_CAP])
{
    tz_resolution_t res;
    if (name == NULL || name[0] == '\0' || tz_resolve(name, strlen(name), NULL, &res, NULL, 0) != 0) return false;
    memcpy(out, res.id, sizeof(res.id));
    return true;
}

static bk_catalog_t *catalog_assemble(cliniko_t *c, catalog_state_t *s, prov_status_t *st)
{
    char account_zone[TZ_NAME_ID_CAP] = "";
    if (s->settings_ok && zone_id_of(s->settings.tz_label, account_zone)) {
        pthread_mutex_lock(&c->mu);
        memcpy(c->account_tz, account_zone, sizeof(account_zone));
        memcpy(c->country, s->settings.country_code, sizeof(c->country));
        pthread_mutex_unlock(&c->mu);
    }
    const char *currency = prov_cliniko_currency_of(s->settings.country_code);
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) goto oom;
    cat->locations = calloc(s->biz_n + 1, sizeof(*cat->locations));
    cat->staff = calloc(s->staff_n + 1, sizeof(*cat->staff));
    cat->treatments = calloc(s->types_n + 1, sizeof(*cat->treatments));
    if (cat->locations == NULL || cat->staff == NULL || cat->treatments == NULL) goto oom;
    for (size_t i = 0; i < s->biz_n; i++) {
        prov_cliniko_business_t *b = &s->biz[i];
        char zone[TZ_NAME_ID_CAP];
        if (!zone_id_of(b->loc.time_zone, zone) && !zone_id_of(b->tz_label, zone)) {
            if (account_zone[0] == '\0') {
                *st = PROV_UPSTREAM; /* neither the business nor the account says where it is */
                goto fail;
            }
            memcpy(zone, account_zone, sizeof(zone));
        }
        free(b->loc.time_zone);
        if ((b->loc.time_zone = strdup(zone)) == NULL) goto oom;
        cat->locations[cat->location_count++] = b->loc; /* moves the strings */
        memset(&b->loc, 0, sizeof(b->loc));
    }
    for (size_t i = 0; i < s->types_n; i++) {
        bk_catalog_treatment_t *t = &s->types[i].t;
        memcpy(t->currency, currency, 4);
        for (size_t k = 0; k < s->bill_n; k++)
            if (strcmp(s->bill[k].id, s->types[i].billable) == 0) t->price_minor = s->bill[k].price;
        for (size_t p = 0; p < t->staff_ids.count; p++) {
            long si = find_staff(s, t->staff_ids.items[p]);
            if (si < 0) continue;
            bk_staff_t *staff = &s->staff[si];
            for (size_t l = 0; l < staff->location_ids.count; l++) {
                const char *lid = staff->location_ids.items[l];
                bool offered = true;
                for (size_t bi = 0; bi < s->biz_n; bi++)
                    if (s->biz[bi].has_type_ids && strcmp(cat->locations[bi].id, lid) == 0)
                        offered = bk_strings_contains(&s->biz[bi].type_ids, t->id);
                if (offered && !bk_strings_contains(&t->location_ids, lid) && bk_strings_push(&t->location_ids, lid) != 0)
                    goto oom;
            }
        }
        cat->treatments[cat->treatment_count++] = *t;
        memset(t, 0, sizeof(*t));
    }
    s->types_n = 0;
    for (size_t i = 0; i < s->staff_n; i++) {
        cat->staff[cat->staff_count++] = s->staff[i];
        memset(&s->staff[i], 0, sizeof(s->staff[i]));
    }
    s->staff_n = 0;
    return cat;
oom:
    *st = PROV_UNAVAILABLE;
fail:
    bk_catalog_free(cat);
    return NULL;
}

static void catalog_drained(job_t *j)
{
    catalog_state_t *s = j->state;
    cliniko_t *c = j->c;
    if (j->status == PROV_OK && s->phase == 0) {
        /* Phase 2: where each practitioner works, and who gives which appointment type (the cheaper way). */
        s->phase = 1;
        char url[URL_CAP];
        bool ok = true;
        for (size_t i = 0; i < s->biz_n && ok; i++)
            ok = url_join(url, c, "/businesses/%s/practitioners?per_page=100", s->biz[i].loc.id) &&
                 job_add(j, K_BUSINESS_STAFF, i, 1, url) == 0;
        bool per_type = s->types_n <= s->staff_n;
        size_t n = per_type ? s->types_n : s->staff_n;
        for (size_t i = 0; i < n && ok; i++)
            ok = (per_type ? url_join(url, c, "/appointment_types/%s/practitioners?per_page=100", s->types[i].t.id)
                           : url_join(url, c, "/practitioners/%s/appointment_types?per_page=100", s->staff[i].id)) &&
                 job_add(j, per_type ? K_TYPE_STAFF : K_STAFF_TYPES, i, 1, url) == 0;
        if (!ok) j->status = PROV_UPSTREAM;
        if (j->next_task < j->task_count && j->status == PROV_OK) {
            job_pump(j);
            return;
        }
    }
    prov_status_t st = j->status;
    bk_catalog_t *cat = st == PROV_OK ? catalog_assemble(c, s, &st) : NULL;
    if (st != PROV_OK) cat = NULL;
    prov_catalog_cb cb = s->cb;
    void *data = s->data;
    catalog_state_free(s);
    job_free(j);
    cb(st, cat, data);
}

static int cliniko_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    cliniko_t *c = instance;
    catalog_state_t *s = calloc(1, sizeof(*s));
    job_t *j = s != NULL ? job_new(c, env, catalog_page, catalog_drained, s) : NULL;
    if (j == NULL) {
        free(s);
        return -1;
    }
    s->cb = cb;
    s->data = data;
    char url[URL_CAP];
    static const struct {
        int kind;
        const char *path;
    } lists[] = {{K_SETTINGS, "/settings"},
                 {K_BUSINESSES, "/businesses?per_page=100"},
                 {K_PRACTITIONERS, "/practitioners?per_page=100"},
                 {K_TYPES, "/appointment_types?per_page=100"},
                 {K_BILLABLE, "/billable_items?per_page=100"}};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (!url_join(url, c, "%s", lists[i].path) || job_add(j, lists[i].kind, 0, 1, url) != 0) goto fail;
    if (job_start(j) != 0) goto fail;
    return 0;
fail:
    catalog_state_free(s);
    job_free(j);
    return -1;
}

/* ---- availability ------------------------------------------------------------------------------------------- */

typedef struct avail_state {
    prov_availability_cb cb;
    void *data;
    int64_t from, to, duration_ms; /* the asked range [from, to) in UTC ms */
    prov_opening_t *v;
    size_t n, cap;
    bool rejected;
} avail_state_t;

#define MAX_OPENINGS 20000

static prov_status_t avail_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    avail_state_t *s = j->state;
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, "available_times", &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    void *tmp_grow;
    for (size_t i = 0; i < page.count && st == PROV_OK; i++) {
        int64_t start;
        if (prov_cliniko_available_time_decode(json_object_array_get_idx(page.items, i), &start) != 0) {
            st = PROV_UPSTREAM;
            break;
        }
        if (start < s->from || start >= s->to) continue;
        if (s->n >= MAX_OPENINGS) break;
        if (GROW(s->v, s->n, s->cap) != 0) st = PROV_UNAVAILABLE;
        else s->v[s->n++] = (prov_opening_t){start, start + s->duration_ms};
    }
    if (st == PROV_OK) st = follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static int cmp_opening(const void *a, const void *b)
{
    const prov_opening_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void avail_finish(avail_state_t *s, prov_status_t st)
{
    size_t n = 0;
    if (st == PROV_OK && s->n > 0) {
        qsort(s->v, s->n, sizeof(*s->v), cmp_opening);
        for (size_t i = 0; i < s->n; i++)
            if (n == 0 || s->v[i].start != s->v[n - 1].start) s->v[n++] = s->v[i];
    }
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? n : 0, s->data);
    free(s->v);
    free(s);
}

static void avail_drained(job_t *j)
{
    avail_state_t *s = j->state;
    prov_status_t st = j->status;
    job_free(j);
    avail_finish(s, st);
}

static void avail_empty_later(void *arg)
{
    avail_finish(arg, PROV_OK);
}

static int cliniko_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                                      prov_availability_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (q == NULL || q->days < 1 || q->days > 31 || q->duration_minutes < 1 || q->staff_id == NULL ||
        q->treatment_id == NULL || q->location_id == NULL)
        return -1;
    char sid[PROV_CLINIKO_ID_CAP], tid[PROV_CLINIKO_ID_CAP], lid[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id_from_url(q->staff_id, sid, sizeof(sid)) != 0 || strcmp(sid, q->staff_id) != 0 ||
        prov_cliniko_id_from_url(q->treatment_id, tid, sizeof(tid)) != 0 || strcmp(tid, q->treatment_id) != 0 ||
        prov_cliniko_id_from_url(q->location_id, lid, sizeof(lid)) != 0 || strcmp(lid, q->location_id) != 0)
        return -1;
    const tz_zone_t *loc_zone = tz_zone_load(q->time_zone != NULL ? q->time_zone : "UTC");
    if (loc_zone == NULL) return -1;
    char acct[TZ_NAME_ID_CAP];
    pthread_mutex_lock(&c->mu);
    memcpy(acct, c->account_tz, sizeof(acct));
    pthread_mutex_unlock(&c->mu);
    /* Cliniko reads from/to in the account's zone; until /settings told us, the location's zone stands in. */
    const tz_zone_t *acct_zone = acct[0] != '\0' ? tz_zone_load(acct) : NULL;
    if (acct_zone == NULL) acct_zone = loc_zone;

    avail_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    s->duration_ms = (int64_t)q->duration_minutes * TZ_MS_PER_MINUTE;
    int64_t last_day = tz_days_from_civil(q->year, q->month, q->day) + q->days - 1;
    int ly, lm, ld;
    tz_civil_from_days(last_day, &ly, &lm, &ld);
    if (tz_day_start(loc_zone, q->year, q->month, q->day, &s->from) != 0 ||
        tz_day_end(loc_zone, ly, lm, ld, &s->to) != 0) {
        free(s);
        return -1;
    }
    int y, m, d;
    tz_local_date(acct_zone, s->from, &y, &m, &d);
    int64_t first = tz_days_from_civil(y, m, d);
    tz_local_date(acct_zone, s->to - 1, &y, &m, &d);
    int64_t last = tz_days_from_civil(y, m, d);
    tz_local_date(acct_zone, tz_now(), &y, &m, &d);
    int64_t today = tz_days_from_civil(y, m, d);
    if (first < today) first = today; /* Cliniko refuses a from before today */
    if (first > last) {
        if (defer_call(env->loop, avail_empty_later, s) != 0) {
            free(s);
            return -1;
        }
        return 0;
    }
    job_t *j = job_new(c, env, avail_page, avail_drained, s);
    if (j == NULL) {
        free(s);
        return -1;
    }
    j->record_404 = true;         /* an unknown business, practitioner or type */
    j->empty_404_rejected = true; /* online bookings are off for this combination */
    for (int64_t w = first; w <= last; w += AVAIL_WINDOW_DAYS) {
        int64_t we = w + AVAIL_WINDOW_DAYS - 1 < last ? w + AVAIL_WINDOW_DAYS - 1 : last;
        int fy, fm, fd, ty, tm, td;
        tz_civil_from_days(w, &fy, &fm, &fd);
        tz_civil_from_days(we, &ty, &tm, &td);
        char url[URL_CAP];
        if (!url_join(url, c,
                      "/businesses/%s/practitioners/%s/appointment_types/%s/available_times"
                      "?from=%04d-%02d-%02d&to=%04d-%02d-%02d&per_page=100",
                      lid, sid, tid, fy, fm, fd, ty, tm, td) ||
            job_add(j, 0, 0, 1, url) != 0)
            goto fail;
    }
    if (job_start(j) != 0) goto fail;
    return 0;
fail:
    job_free(j);
    free(s->v);
    free(s);
    return -1;
}

/* ---- patients ----------------------------------------------------------------------------------------------- */

typedef struct patients_state {
    prov_patients_cb cb;
    void *data;
    char *phone, *first_name, *dob, *email;
    bool phone_required; /* a name search: the phone must match one of the patient's numbers */
    bk_patient_t *v;
    size_t n, cap;
} patients_state_t;

#define MAX_PATIENTS 200

static bool eq_ci(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

static prov_status_t patients_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    patients_state_t *s = j->state;
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, "patients", &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    void *tmp_grow;
    for (size_t i = 0; i < page.count && st == PROV_OK && s->n < MAX_PATIENTS; i++) {
        bk_patient_t p;
        bk_strings_t phones;
        bool archived;
        if (prov_cliniko_patient_decode(json_object_array_get_idx(page.items, i), &p, &phones, &archived) != 0) {
            st = PROV_UPSTREAM;
            break;
        }
        bool keep = !archived;
        if (keep && s->first_name != NULL && !eq_ci(p.first_name, s->first_name)) keep = false;
        if (keep && s->dob != NULL && (p.dob == NULL || strcmp(p.dob, s->dob) != 0)) keep = false;
        if (keep && s->email != NULL && !eq_ci(p.email, s->email)) keep = false;
        const char *matched = NULL;
        for (size_t k = 0; k < phones.count && s->phone != NULL; k++)
            if (prov_cliniko_phone_matches(phones.items[k], s->phone)) matched = s->phone;
        if (keep && s->phone_required && matched == NULL) keep = false;
        char e164[24];
        if (keep) {
            if (matched != NULL) p.phone = strdup(matched);
            else
                for (size_t k = 0; k < phones.count && p.phone == NULL; k++)
                    if (prov_cliniko_phone_e164(phones.items[k], e164, sizeof(e164)) == 0) p.phone = strdup(e164);
        }
        for (size_t k = 0; k < phones.count; k++) free(phones.items[k]);
        free(phones.items);
        if (!keep) {
            bk_patient_clear(&p);
        } else if (GROW(s->v, s->n, s->cap) != 0) {
            bk_patient_clear(&p);
            st = PROV_UNAVAILABLE;
        } else {
            s->v[s->n++] = p;
        }
    }
    if (st == PROV_OK && s->n < MAX_PATIENTS && t->page < 5) st = follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static void patients_finish(patients_state_t *s, prov_status_t st)
{
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    for (size_t i = 0; i < s->n; i++) bk_patient_clear(&s->v[i]);
    free(s->v);
    free(s->phone), free(s->first_name), free(s->dob), free(s->email);
    free(s);
}

static void patients_drained(job_t *j)
{
    patients_state_t *s = j->state;
    prov_status_t st = j->status;
    job_free(j);
    patients_finish(s, st);
}

static void patients_rejected_later(void *arg)
{
    patients_finish(arg, PROV_REJECTED);
}

static bool add_filter(char *url, const char *field, const char *value)
{
    char q[256];
    snprintf(q, sizeof(q), "%s:=%s", field, value);
    size_t n = strlen(url);
    if (n + 16 >= URL_CAP) return false;
    memcpy(url + n, "&q%5B%5D=", 10);
    return prov_cliniko_query_escape(url, URL_CAP, q) == 0;
}

static char *dup_opt(const char *s, bool *oom)
{
    if (s == NULL || s[0] == '\0') return NULL;
    char *c = strdup(s);
    if (c == NULL) *oom = true;
    return c;
}

static int cliniko_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                                 void *data)
{
    cliniko_t *c = instance;
    if (q == NULL) return -1;
    patients_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    bool oom = false;
    s->cb = cb;
    s->data = data;
    s->phone = dup_opt(q->phone, &oom);
    s->first_name = dup_opt(q->first_name, &oom);
    s->dob = dup_opt(q->dob, &oom);
    s->email = dup_opt(q->email, &oom);
    if (oom) goto fail;
    /* Cliniko documents no phone filter (GET /patients?phone= seen in third-party code is unverified), so a
     * search needs an email or a last name. An email identifies a patient by itself (the other given fields
     * but the phone must agree); a name search keeps only patients with a number matching the phone, when one
     * is given, compared here after normalizing both to digits. A phone alone cannot be searched without
     * listing every patient of the clinic: refused as PROV_REJECTED. */
    char url[URL_CAP];
    if (!url_join(url, c, "/patients?per_page=100")) goto fail;
    bool ok = true;
    if (q->email != NULL && q->email[0] != '\0') {
        ok = add_filter(url, "email", q->email);
    } else if (q->last_name != NULL && q->last_name[0] != '\0') {
        ok = add_filter(url, "last_name", q->last_name);
        s->phone_required = s->phone != NULL;
        if (ok && s->first_name != NULL) ok = add_filter(url, "first_name", s->first_name);
        if (ok && s->dob != NULL) ok = add_filter(url, "date_of_birth", s->dob);
    } else {
        if (defer_call(env->loop, patients_rejected_later, s) != 0) goto fail;
        return 0;
    }
    if (!ok) goto fail;
    job_t *j = job_new(c, env, patients_page, patients_drained, s);
    if (j == NULL) goto fail;
    if (job_add(j, 0, 0, 1, url) != 0 || job_start(j) != 0) {
        job_free(j);
        goto fail;
    }
    return 0;
fail:
    free(s->phone), free(s->first_name), free(s->dob), free(s->email);
    free(s);
    return -1;
}

/* ---- single calls ------------------------------------------------------------------------------------------- */

typedef struct call {
    cliniko_t *c;
    prov_env_t env;
    union {
        prov_patient_cb patient;
        prov_appointment_cb appointment;
        prov_conflict_cb conflict;
        prov_done_cb done;
    } cb;
    void *data;
    bk_patient_t patient; /* create_patient: what was asked */
    char id[PROV_CLINIKO_ID_CAP];
} call_t;

static call_t *call_new(cliniko_t *c, prov_env_t *env, void *data)
{
    call_t *k = calloc(1, sizeof(*k));
    if (k == NULL) return NULL;
    k->c = c;
    k->env = *env;
    k->data = data;
    return k;
}

static void call_free(call_t *k)
{
    bk_patient_clear(&k->patient);
    free(k);
}

static char *json_body(json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = s != NULL ? strdup(s) : NULL;
    json_object_put(o);
    return copy;
}

static void add_str(json_object *o, const char *key, const char *v)
{
    if (v != NULL) json_object_object_add(o, key, json_object_new_string(v));
}

static bool valid_id(const char *id)
{
    char out[PROV_CLINIKO_ID_CAP];
    return id != NULL && prov_cliniko_id_from_url(id, out, sizeof(out)) == 0 && strcmp(out, id) == 0;
}

static void on_patient_created(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = map_status(r, false);
    bk_patient_t p = {0};
    if (st == PROV_OK) {
        json_object *root;
        bk_strings_t phones;
        bool archived;
        if (prov_cliniko_parse_object(r->body, r->body_len, &root) != 0) {
            st = PROV_UPSTREAM;
        } else {
            if (prov_cliniko_patient_decode(root, &p, &phones, &archived) != 0) st = PROV_UPSTREAM;
            else {
                for (size_t i = 0; i < phones.count; i++) free(phones.items[i]);
                free(phones.items);
            }
            json_object_put(root);
        }
        /* Answer what was asked where Cliniko echoes it in its own form (the phone, notably). */
        if (st == PROV_OK && p.phone == NULL && k->patient.phone != NULL) p.phone = strdup(k->patient.phone);
    }
    k->cb.patient(st, st == PROV_OK ? &p : NULL, k->data);
    bk_patient_clear(&p);
    call_free(k);
}

static int cliniko_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                                  void *data)
{
    cliniko_t *c = instance;
    if (patient == NULL || patient->last_name == NULL || patient->first_name == NULL) return -1;
    call_t *k = call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.patient = cb;
    if (patient->phone != NULL && (k->patient.phone = strdup(patient->phone)) == NULL) goto fail;
    json_object *o = json_object_new_object();
    if (o == NULL) goto fail;
    add_str(o, "first_name", patient->first_name);
    add_str(o, "last_name", patient->last_name);
    add_str(o, "email", patient->email);
    add_str(o, "date_of_birth", patient->dob);
    if (patient->phone != NULL) {
        json_object *arr = json_object_new_array(), *num = json_object_new_object();
        add_str(num, "phone_type", "Mobile");
        add_str(num, "number", patient->phone);
        json_object_array_add(arr, num);
        json_object_object_add(o, "patient_phone_numbers", arr);
    }
    char *body = json_body(o);
    char url[URL_CAP];
    int rc = body != NULL && url_join(url, c, "/patients") ? send_request(c, env, "POST", url, body, false, on_patient_created, k) : -1;
    free(body);
    if (rc != 0) goto fail;
    return 0;
fail:
    call_free(k);
    return -1;
}

/* list_appointments: a paged job over /individual_appointments. */
typedef struct appts_state {
    prov_appointments_cb cb;
    void *data;
    bk_appointment_t *v;
    size_t n, cap;
} appts_state_t;

#define MAX_APPOINTMENTS 500

static prov_status_t appts_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    appts_state_t *s = j->state;
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, "individual_appointments", &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    void *tmp_grow;
    for (size_t i = 0; i < page.count && st == PROV_OK && s->n < MAX_APPOINTMENTS; i++) {
        bk_appointment_t a;
        bool deleted;
        if (prov_cliniko_appointment_decode(json_object_array_get_idx(page.items, i), &a, &deleted) != 0) {
            st = PROV_UPSTREAM;
        } else if (deleted) {
            bk_appointment_clear(&a);
        } else if (GROW(s->v, s->n, s->cap) != 0) {
            bk_appointment_clear(&a);
            st = PROV_UNAVAILABLE;
        } else {
            s->v[s->n++] = a;
        }
    }
    if (st == PROV_OK && s->n < MAX_APPOINTMENTS) st = follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static int cmp_appt(const void *a, const void *b)
{
    const bk_appointment_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void appts_drained(job_t *j)
{
    appts_state_t *s = j->state;
    prov_status_t st = j->status;
    job_free(j);
    if (st == PROV_OK) qsort(s->v, s->n, sizeof(*s->v), cmp_appt);
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    for (size_t i = 0; i < s->n; i++) bk_appointment_clear(&s->v[i]);
    free(s->v);
    free(s);
}

static int cliniko_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                                     prov_appointments_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (!valid_id(patient_id)) return -1;
    appts_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    char url[URL_CAP], iso[TZ_ISO_CAP], filter[96];
    format_cliniko_time(from, iso);
    snprintf(filter, sizeof(filter), "starts_at:>=%s", iso);
    job_t *j = NULL;
    if (!url_join(url, c, "/individual_appointments?per_page=100&sort=starts_at") ||
        !add_filter(url, "patient_id", patient_id))
        goto fail;
    size_t n = strlen(url);
    memcpy(url + n, "&q%5B%5D=", 10);
    if (prov_cliniko_query_escape(url, sizeof(url), filter) != 0) goto fail;
    j = job_new(c, env, appts_page, appts_drained, s);
    if (j == NULL) goto fail;
    if (job_add(j, 0, 0, 1, url) != 0 || job_start(j) != 0) goto fail;
    return 0;
fail:
    if (j != NULL) job_free(j);
    free(s);
    return -1;
}

static void answer_appointment(call_t *k, prov_status_t st, const prov_http_response_t *r)
{
    bk_appointment_t a = {0};
    if (st == PROV_OK && prov_cliniko_appointment_body_decode(r->body, r->body_len, &a) != 0) st = PROV_UPSTREAM;
    k->cb.appointment(st, st == PROV_OK ? &a : NULL, k->data);
    bk_appointment_clear(&a);
    call_free(k);
}

static void on_appointment_answer(const prov_http_response_t *r, void *data)
{
    answer_appointment(data, map_status(r, true), r);
}

static void on_appointment_created(const prov_http_response_t *r, void *data)
{
    answer_appointment(data, map_status(r, false), r);
}

static int cliniko_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a,
                                      prov_appointment_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (a == NULL || !valid_id(a->patient_id) || !valid_id(a->staff_id) || !valid_id(a->treatment_id) ||
        !valid_id(a->location_id) || a->end <= a->start)
        return -1;
    call_t *k = call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.appointment = cb;
    char start[TZ_ISO_CAP], end[TZ_ISO_CAP], url[URL_CAP];
    format_cliniko_time(a->start, start);
    format_cliniko_time(a->end, end);
    json_object *o = json_object_new_object();
    add_str(o, "starts_at", start);
    add_str(o, "ends_at", end);
    add_str(o, "patient_id", a->patient_id);
    add_str(o, "practitioner_id", a->staff_id);
    add_str(o, "appointment_type_id", a->treatment_id);
    add_str(o, "business_id", a->location_id);
    char *body = json_body(o);
    int rc = body != NULL && url_join(url, c, "/individual_appointments")
                 ? send_request(c, env, "POST", url, body, false, on_appointment_created, k)
                 : -1;
    free(body);
    if (rc != 0) call_free(k);
    return rc;
}

/* Cancel: PATCH .../cancel answers 204 with no body, so the appointment is read back afterwards. */
static void on_cancelled_read(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = map_status(r, true);
    bk_appointment_t a = {0};
    if (st != PROV_OK || prov_cliniko_appointment_body_decode(r->body, r->body_len, &a) != 0) {
        /* The cancel did happen: answer what is known rather than an error. */
        bk_appointment_clear(&a);
        a.id = k->id;
        a.state = BK_APPT_CANCELLED;
        k->cb.appointment(PROV_OK, &a, k->data);
        call_free(k);
        return;
    }
    a.state = BK_APPT_CANCELLED;
    k->cb.appointment(PROV_OK, &a, k->data);
    bk_appointment_clear(&a);
    call_free(k);
}

static void on_cancelled(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = map_status(r, true);
    char url[URL_CAP];
    if (st == PROV_OK && url_join(url, k->c, "/individual_appointments/%s", k->id) &&
        send_request(k->c, &k->env, "GET", url, NULL, true, on_cancelled_read, k) == 0)
        return;
    if (st == PROV_OK) { /* could not read it back: synthesize */
        bk_appointment_t a = {.id = k->id, .state = BK_APPT_CANCELLED};
        k->cb.appointment(PROV_OK, &a, k->data);
    } else {
        k->cb.appointment(st, NULL, k->data);
    }
    call_free(k);
}

static int cliniko_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                                      prov_appointment_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (!valid_id(appointment_id)) return -1;
    call_t *k = call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.appointment = cb;
    snprintf(k->id, sizeof(k->id), "%s", appointment_id);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "cancellation_reason", json_object_new_int(prov_cliniko_cancel_reason_code(reason)));
    if (reason != NULL && reason[0] != '\0') {
        char note[501];
        size_t n = strlen(reason) < 500 ? strlen(reason) : 500;
        while (n > 0 && n < strlen(reason) && ((unsigned char)reason[n] & 0xC0) == 0x80) n--;
        memcpy(note, reason, n);
        note[n] = '\0';
        add_str(o, "cancellation_note", note);
    }
    char *body = json_body(o);
    char url[URL_CAP];
    int rc = body != NULL && url_join(url, c, "/individual_appointments/%s/cancel", appointment_id)
                 ? send_request(c, env, "PATCH", url, body, false, on_cancelled, k)
                 : -1;
    free(body);
    if (rc != 0) call_free(k);
    return rc;
}

static int cliniko_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                          int64_t end, const char *staff_id, prov_appointment_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (!valid_id(appointment_id) || end <= start || (staff_id != NULL && !valid_id(staff_id))) return -1;
    call_t *k = call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.appointment = cb;
    char s[TZ_ISO_CAP], e[TZ_ISO_CAP], url[URL_CAP];
    format_cliniko_time(start, s);
    format_cliniko_time(end, e);
    json_object *o = json_object_new_object();
    add_str(o, "starts_at", s);
    add_str(o, "ends_at", e);
    add_str(o, "practitioner_id", staff_id);
    char *body = json_body(o);
    /* PATCH is the update verb of Cliniko's OpenAPI spec (the 2022 markdown docs showed PUT; Rails routes
     * both to the same action). */
    int rc = body != NULL && url_join(url, c, "/individual_appointments/%s", appointment_id)
                 ? send_request(c, env, "PATCH", url, body, false, on_appointment_answer, k)
                 : -1;
    free(body);
    if (rc != 0) call_free(k);
    return rc;
}

static void on_conflicts(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = map_status(r, true);
    bool exist = false;
    if (st == PROV_OK && prov_cliniko_conflicts_decode(r->body, r->body_len, &exist) != 0) st = PROV_UPSTREAM;
    k->cb.conflict(st, exist, k->data);
    call_free(k);
}

static int cliniko_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                                   void *data)
{
    cliniko_t *c = instance;
    char url[URL_CAP];
    if (!valid_id(appointment_id) || !url_join(url, c, "/individual_appointments/%s/conflicts", appointment_id))
        return -1;
    call_t *k = call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.conflict = cb;
    /* Not coalesced with an earlier probe of the same appointment: a probe must see the latest writes. */
    if (send_request(c, env, "GET", url, NULL, false, on_conflicts, k) != 0) {
        call_free(k);
        return -1;
    }
    return 0;
}

static void on_deleted(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    k->cb.done(map_status(r, true), k->data);
    call_free(k);
}

static int cliniko_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb,
                                      void *data)
{
    cliniko_t *c = instance;
    char url[URL_CAP];
    if (!valid_id(appointment_id) || !url_join(url, c, "/individual_appointments/%s", appointment_id)) return -1;
    call_t *k = call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.done = cb;
    if (send_request(c, env, "DELETE", url, NULL, false, on_deleted, k) != 0) {
        call_free(k);
        return -1;
    }
    return 0;
}

/* Cliniko's 429 blocks this credential's bucket until its window resets (X-RateLimit-Reset, Retry-After). */
static int cliniko_retry_after_seconds(void *instance)
{
    cliniko_t *c = instance;
    int64_t ms = prov_http_bucket_wait_ms(c->bucket);
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

const prov_ops_t prov_cliniko_ops = {
    .name = "cliniko",
    .capabilities = PROV_CAP_NATIVE_RESCHEDULE | PROV_CAP_CANCEL_REASON_REQUIRED | PROV_CAP_CONFLICT_PROBE,
    .create = cliniko_create,
    .destroy = cliniko_destroy,
    .knows_location = cliniko_knows_location,
    .retry_after_seconds = cliniko_retry_after_seconds,
    .policy_defaults = NULL,
    .on_store_connected = NULL,
    .fetch_catalog = cliniko_fetch_catalog,
    .fetch_availability = cliniko_fetch_availability,
    .find_patients = cliniko_find_patients,
    .create_patient = cliniko_create_patient,
    .list_appointments = cliniko_list_appointments,
    .create_appointment = cliniko_create_appointment,
    .cancel_appointment = cliniko_cancel_appointment,
    .reschedule_appointment = cliniko_reschedule_appointment,
    .probe_conflicts = cliniko_probe_conflicts,
    .delete_appointment = cliniko_delete_appointment,
};
