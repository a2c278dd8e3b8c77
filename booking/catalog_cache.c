/* booking/catalog_cache.c: cached catalog reads with miss coalescing and a stale fallback (see
 * catalog_cache.h). */
#include "booking/catalog_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "metrics/metrics.h"
#include "core/catalog_json.h"
#include "core/siphash.h"
#include "booking/fill_lock.h"

#define CATALOG_MAX_BYTES (8u << 20)
#define FILL_LOCK_MS 10000
#define FILL_WAIT_MS 4000

typedef struct bk_catalog_memo {
    struct bk_catalog_memo *next;
    char tenant_id[72]; /* by id, not record: a reload gives a tenant a new record with the same cached catalog */
    unsigned char digest[16]; /* SipHash-128 of the cached JSON this catalog was parsed from (a copy of the JSON
                               * itself cost every warm tenant ~4 KB per worker, next to the read cache's own) */
    size_t raw_len;
    bk_catalog_t *catalog;
} memo_t;

/* The catalog last fetched from a provider and written to the cache, with its JSON: tenants on one clinic (say,
 * many sandbox tenants on the built-in demo) fetch equal catalogs, and comparing one is far cheaper than writing
 * its JSON again. */
typedef struct bk_catalog_text {
    bk_catalog_t *catalog;
    char *json;
    size_t len;
} catalog_text_t;

typedef struct waiter {
    struct waiter *next;
    bk_catalog_cb cb;
    void *data;
} waiter_t;

/* One refill of one tenant's catalog on this worker; every request that misses meanwhile waits on it. */
typedef struct bk_catalog_fetch {
    struct bk_catalog_fetch *next;
    bk_env_t *env; /* NULL once the env is disposed */
    const bk_tenant_t *tenant;
    waiter_t *waiters;
    bool locked;
    prov_status_t failure; /* why the provider failed, when answering from the last good copy */
    bk_catalog_t *fresh;   /* the fetched catalog while its cache writes complete */
    uint64_t give_up_at;   /* loop time after which it stops waiting for another process's refill */
    char key[128], last_key[144], lock_key[144];
} fetch_t;

typedef struct lookup {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    bk_catalog_cb cb;
    void *data;
} lookup_t;

void bk_catalog_key(const bk_tenant_t *tenant, char *buf, size_t cap)
{
    snprintf(buf, cap, "fd:{%s}:catalog", tenant->id);
}

void bk_env_init(bk_env_t *env, uv_loop_t *loop, store_t *store)
{
    memset(env, 0, sizeof(*env));
    env->store = store;
    env->prov.loop = loop;
    env->prov.store = store;
}

int bk_env_enable_read_cache(bk_env_t *env)
{
    /* what follows "fd:{<tenant>}:" in the keys the cache keeps (store_enable_read_cache) */
    static const char *const families[] = {"catalog", "avail:", "holds:"};
    return store_enable_read_cache(env->store, families, sizeof(families) / sizeof(families[0]));
}

static void catalog_text_free(catalog_text_t *t)
{
    if (t == NULL) return;
    bk_catalog_free(t->catalog);
    free(t->json);
    free(t);
}

void bk_env_dispose(bk_env_t *env)
{
    catalog_text_free(env->last_text);
    env->last_text = NULL;
    while (env->memos != NULL) {
        memo_t *m = env->memos;
        env->memos = m->next;
        bk_catalog_free(m->catalog);
        free(m);
    }
    for (fetch_t *f = env->fetches; f != NULL; f = f->next) f->env = NULL;
    env->fetches = NULL;
}

static memo_t *find_memo(bk_env_t *env, const bk_tenant_t *tenant)
{
    for (memo_t *m = env->memos; m != NULL; m = m->next)
        if (strcmp(m->tenant_id, tenant->id) == 0) return m;
    return NULL;
}

const bk_catalog_t *bk_catalog_peek(bk_env_t *env, const bk_tenant_t *tenant)
{
    const memo_t *m = find_memo(env, tenant);
    return m != NULL ? m->catalog : NULL;
}

/* The digest of a cached catalog value under a key drawn once per process, so that no value can be made to
 * collide with another on purpose. */
static unsigned char digest_key[16];

static void draw_digest_key(void)
{
    if (getrandom(digest_key, sizeof(digest_key), GRND_NONBLOCK) != (ssize_t)sizeof(digest_key)) {
        uint64_t t = uv_hrtime() ^ (uint64_t)(uintptr_t)&digest_key; /* no entropy yet: still unpredictable enough */
        memcpy(digest_key, &t, sizeof(t));
    }
}

static void catalog_digest(const char *raw, size_t len, unsigned char out[16])
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, draw_digest_key);
    bk_siphash_t h;
    bk_siphash_init(&h, digest_key);
    bk_siphash_update(&h, raw, len);
    bk_siphash_final128(&h, out);
}

/* The catalog of this raw cached value, parsed only when it differs from the memoized one. */
static const bk_catalog_t *memo_catalog(bk_env_t *env, const bk_tenant_t *tenant, const char *raw, size_t len)
{
    memo_t *m = find_memo(env, tenant);
    unsigned char digest[16];
    catalog_digest(raw, len, digest);
    if (m != NULL && m->raw_len == len && memcmp(m->digest, digest, sizeof(digest)) == 0) return m->catalog;
    if (len > CATALOG_MAX_BYTES) return NULL;
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) return NULL;
    json_object *root = json_tokener_parse_ex(tok, raw, (int)len);
    json_tokener_free(tok);
    bk_catalog_t *catalog = bk_catalog_from_json(root);
    json_object_put(root);
    if (catalog == NULL) return NULL;
    if (m == NULL) {
        if ((m = calloc(1, sizeof(*m))) == NULL) {
            bk_catalog_free(catalog);
            return NULL;
        }
        snprintf(m->tenant_id, sizeof(m->tenant_id), "%s", tenant->id);
        m->next = env->memos;
        env->memos = m;
    } else {
        bk_catalog_free(m->catalog);
    }
    memcpy(m->digest, digest, sizeof(digest));
    m->raw_len = len;
    m->catalog = catalog;
    return catalog;
}

static void finish(fetch_t *f, prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source)
{
    if (f->env != NULL) {
        for (fetch_t **p = &f->env->fetches; *p != NULL; p = &(*p)->next) {
            if (*p == f) {
                *p = f->next;
                break;
            }
        }
        if (f->locked) bk_fill_release(f->env->store, f->lock_key);
    }
    waiter_t *w = f->waiters;
    while (w != NULL) {
        waiter_t *next = w->next;
        w->cb(status, status == PROV_OK ? catalog : NULL, source, w->data);
        free(w);
        w = next;
    }
    bk_tenant_release(f->tenant);
    free(f);
}

static void on_last_good(const redisReply *reply, void *data)
{
    fetch_t *f = data;
    const bk_catalog_t *c = NULL;
    if (f->env != NULL && reply != NULL && reply->type == REDIS_REPLY_STRING)
        c = memo_catalog(f->env, f->tenant, reply->str, reply->len);
    if (c != NULL) finish(f, PROV_OK, c, BK_SOURCE_STALE);
    else finish(f, f->failure, NULL, BK_SOURCE_LIVE);
}

static void on_stored(const redisReply *reply, void *data)
{
    fetch_t *f = data;
    bk_catalog_t *catalog = f->fresh;
    finish(f, PROV_OK, catalog, BK_SOURCE_LIVE); /* a failed write costs only a later miss */
    bk_catalog_free(catalog);
}

static bool text_equal(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool strings_equal(const bk_strings_t *a, const bk_strings_t *b)
{
    if (a->count != b->count) return false;
    for (size_t i = 0; i < a->count; i++)
        if (!text_equal(a->items[i], b->items[i])) return false;
    return true;
}

static bool location_equal(const bk_location_t *a, const bk_location_t *b)
{
    return text_equal(a->id, b->id) && text_equal(a->name, b->name) && text_equal(a->line1, b->line1) &&
           text_equal(a->city, b->city) && text_equal(a->region, b->region) &&
           text_equal(a->postal_code, b->postal_code) && text_equal(a->country, b->country) &&
           text_equal(a->phone, b->phone) && text_equal(a->time_zone, b->time_zone) &&
           text_equal(a->booking_url, b->booking_url);
}

static bool staff_equal(const bk_staff_t *a, const bk_staff_t *b)
{
    return text_equal(a->id, b->id) && text_equal(a->first_name, b->first_name) &&
           text_equal(a->last_name, b->last_name) && text_equal(a->title, b->title) &&
           text_equal(a->email, b->email) && a->ai_enabled == b->ai_enabled &&
           strings_equal(&a->disciplines, &b->disciplines) && strings_equal(&a->treatment_ids, &b->treatment_ids) &&
           strings_equal(&a->location_ids, &b->location_ids);
}

static bool treatment_equal(const bk_catalog_treatment_t *a, const bk_catalog_treatment_t *b)
{
    return text_equal(a->id, b->id) && text_equal(a->name, b->name) && a->duration_minutes == b->duration_minutes &&
           a->price_minor == b->price_minor && strcmp(a->currency, b->currency) == 0 &&
           strings_equal(&a->staff_ids, &b->staff_ids) && strings_equal(&a->location_ids, &b->location_ids);
}

/* True when the two catalogs hold the same fields, so their JSON (core/catalog_json.h) is the same. */
static bool catalog_equal(const bk_catalog_t *a, const bk_catalog_t *b)
{
    if (a->location_count != b->location_count || a->staff_count != b->staff_count ||
        a->treatment_count != b->treatment_count)
        return false;
    for (size_t i = 0; i < a->location_count; i++)
        if (!location_equal(&a->locations[i], &b->locations[i])) return false;
    for (size_t i = 0; i < a->staff_count; i++)
        if (!staff_equal(&a->staff[i], &b->staff[i])) return false;
    for (size_t i = 0; i < a->treatment_count; i++)
        if (!treatment_equal(&a->treatments[i], &b->treatments[i])) return false;
    return true;
}

/* The JSON of a catalog fetched from a provider: the worker's last one when the catalog equals it, else written
 * anew and kept for the next, with a copy of the catalog read back from that JSON (none when the JSON does not
 * carry the catalog in full: then it is never reused). NULL when out of memory. */
static const catalog_text_t *catalog_text(bk_env_t *env, const bk_catalog_t *catalog)
{
    const catalog_text_t *last = env->last_text;
    if (last != NULL && last->catalog != NULL && catalog_equal(last->catalog, catalog)) return last;
    catalog_text_t *t = calloc(1, sizeof(*t));
    json_object *json = t != NULL ? bk_catalog_to_json(catalog) : NULL;
    const char *s = json != NULL ? json_object_to_json_string_length(json, JSON_C_TO_STRING_PLAIN, &t->len) : NULL;
    if (s == NULL || (t->json = malloc(t->len + 1)) == NULL) {
        json_object_put(json);
        catalog_text_free(t);
        return NULL;
    }
    memcpy(t->json, s, t->len + 1);
    t->catalog = bk_catalog_from_json(json);
    json_object_put(json);
    if (t->catalog != NULL && !catalog_equal(t->catalog, catalog)) {
        bk_catalog_free(t->catalog);
        t->catalog = NULL;
    }
    catalog_text_free(env->last_text);
    env->last_text = t;
    return t;
}

static void on_provider_catalog(prov_status_t status, bk_catalog_t *catalog, void *data)
{
    fetch_t *f = data;
    if (f->env == NULL) {
        finish(f, PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE);
        bk_catalog_free(catalog);
        return;
    }
    if (status != PROV_OK) {
        /* The EMR failed: answer from the last good copy, marked stale, when there is one. */
        f->failure = status;
        if (store_commandf(f->env->store, on_last_good, f, "GET %s", f->last_key) != 0)
            finish(f, status, NULL, BK_SOURCE_LIVE);
        bk_catalog_free(catalog);
        return;
    }
    const catalog_text_t *text = catalog_text(f->env, catalog);
    if (text == NULL) {
        finish(f, PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE);
        bk_catalog_free(catalog);
        return;
    }
    const char *s = text->json;
    size_t len = text->len;
    char ttl[16];
    snprintf(ttl, sizeof(ttl), "%d", f->tenant->policy.catalog_ttl_seconds);
    const char *argv[] = {"SET", f->key, s, "EX", ttl};
    const size_t lens[] = {3, strlen(f->key), len, 2, strlen(ttl)};
    store_command(f->env->store, NULL, NULL, 5, argv, lens);
    const char *last_argv[] = {"SET", f->last_key, s};
    const size_t last_lens[] = {3, strlen(f->last_key), len};
    /* Answer once Redis has the copy, so the caller's next request, on any worker or process, reads it. */
    f->fresh = catalog;
    if (store_command(f->env->store, on_stored, f, 3, last_argv, last_lens) != 0) on_stored(NULL, f);
}

static void ask_provider(fetch_t *f)
{
    const bk_tenant_t *t = f->tenant;
    if (t->provider->fetch_catalog(t->provider_instance, &f->env->prov, on_provider_catalog, f) != 0)
        finish(f, PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE);
}

static void on_turn(void *ctx, bk_fill_turn_t turn);

static void on_recheck(const redisReply *reply, void *data)
{
    fetch_t *f = data;
    if (f->env == NULL) {
        finish(f, PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE);
        return;
    }
    if (reply != NULL && reply->type == REDIS_REPLY_STRING) {
        const bk_catalog_t *c = memo_catalog(f->env, f->tenant, reply->str, reply->len);
        if (c != NULL) {
            finish(f, PROV_OK, c, BK_SOURCE_CACHE);
            return;
        }
    }
    if (f->locked) { /* the re-read after taking the lock missed too: this one fills */
        ask_provider(f);
        return;
    }
    bk_env_t *env = f->env;
    if (bk_fill_acquire(env->store, env->prov.loop, f->lock_key, FILL_LOCK_MS, f->give_up_at, on_turn, f) != 0)
        ask_provider(f);
}

static void on_turn(void *ctx, bk_fill_turn_t turn)
{
    fetch_t *f = ctx;
    if (f->env == NULL) {
        finish(f, PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE);
        return;
    }
    f->locked = turn == BK_FILL_FETCH_LOCKED;
    /* Read once more when waiting, and also right after taking the lock: the filler before us may have written
     * the value and released the lock between our miss and our lock. */
    if (turn == BK_FILL_RECHECK || f->locked) {
        if (store_commandf(f->env->store, on_recheck, f, "GET %s", f->key) != 0) ask_provider(f);
        return;
    }
    ask_provider(f);
}

static void fetch_from_provider(lookup_t *l)
{
    bk_env_t *env = l->env;
    waiter_t *w = malloc(sizeof(*w));
    if (w == NULL) {
        l->cb(PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE, l->data);
        return;
    }
    w->cb = l->cb;
    w->data = l->data;
    for (fetch_t *f = env->fetches; f != NULL; f = f->next) {
        if (f->tenant == l->tenant) {
            w->next = f->waiters;
            f->waiters = w;
            return;
        }
    }
    fetch_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        free(w);
        l->cb(PROV_UNAVAILABLE, NULL, BK_SOURCE_LIVE, l->data);
        return;
    }
    w->next = NULL;
    f->env = env;
    f->tenant = l->tenant;
    bk_tenant_retain(f->tenant); /* the fetch may outlive every request waiting on it */
    f->waiters = w;
    bk_catalog_key(l->tenant, f->key, sizeof(f->key));
    snprintf(f->last_key, sizeof(f->last_key), "%s:last", f->key);
    snprintf(f->lock_key, sizeof(f->lock_key), "%s:lock", f->key);
    f->next = env->fetches;
    env->fetches = f;
    f->give_up_at = uv_now(env->prov.loop) + FILL_WAIT_MS;
    if (bk_fill_acquire(env->store, env->prov.loop, f->lock_key, FILL_LOCK_MS, f->give_up_at, on_turn, f) != 0)
        ask_provider(f);
}

static void on_cached(const redisReply *reply, void *data)
{
    lookup_t *l = data;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        l->cb(PROV_UNAVAILABLE, NULL, BK_SOURCE_CACHE, l->data);
    } else if (reply->type == REDIS_REPLY_STRING) {
        const bk_catalog_t *c = memo_catalog(l->env, l->tenant, reply->str, reply->len);
        fd_mx_cache_lookup(FD_MX_CACHE_CATALOG, c != NULL);
        if (c != NULL) l->cb(PROV_OK, c, BK_SOURCE_CACHE, l->data);
        else fetch_from_provider(l); /* an unreadable cached value is treated as a miss */
    } else {
        fd_mx_cache_lookup(FD_MX_CACHE_CATALOG, false);
        fetch_from_provider(l);
    }
    free(l);
}

int bk_catalog_get(bk_env_t *env, const bk_tenant_t *tenant, bk_catalog_cb cb, void *data)
{
    lookup_t *l = malloc(sizeof(*l));
    if (l == NULL) return -1;
    *l = (lookup_t){.env = env, .tenant = tenant, .cb = cb, .data = data};
    char key[128];
    bk_catalog_key(tenant, key, sizeof(key));
    /* Through the worker's read cache: while the catalog is unchanged, a read is a lookup and a compare with
     * the memoized copy, not a transfer. */
    const char *argv[] = {"GET", key};
    const size_t lens[] = {3, strlen(key)};
    store_read_cmd_t cmd = {.argc = 2, .argv = argv, .lens = lens, .first_key = 1, .key_count = 1};
    if (store_command_cached(env->store, on_cached, l, &cmd) != 0) {
        free(l);
        return -1;
    }
    return 0;
}
