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

void bk_env_dispose(bk_env_t *env)
{
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
    json_object *json = bk_catalog_to_json(catalog);
    size_t len;
    const char *s = json_object_to_json_string_length(json, JSON_C_TO_STRING_PLAIN, &len);
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
    json_object_put(json);
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
