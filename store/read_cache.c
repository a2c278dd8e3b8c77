/* store/read_cache.c: the worker's cache of read replies (see read_cache.h). */
#include "store/read_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One key an entry was read from, listed under its hash so an invalidation finds its entries directly. */
typedef struct key_ref {
    uint64_t hash;
    store_cached_t *entry;
    struct key_ref *next; /* the next key of the same bucket */
} key_ref_t;

struct store_cached {
    store_cached_t *bucket_next;
    store_cached_t *older, *newer; /* insertion order, for eviction */
    uint64_t hash;
    unsigned char *cmd; /* per argument: 4-byte length, then the bytes */
    size_t cmd_len;
    key_ref_t *keys;
    int key_count;
    redisReply *reply;
    size_t bytes;
    uint64_t expires_ms;
    int refs; /* the cache's own (while listed) plus each caller's */
    bool listed;
};

struct store_read_cache {
    store_cached_t **buckets;
    key_ref_t **key_buckets; /* the entries' keys by hash: an invalidation costs the keys it names, not the cache */
    size_t n_buckets;        /* a power of two, for both tables */
    store_cached_t *oldest, *newest;
    size_t max_entries, max_bytes;
    uint64_t max_age_ms;
    store_read_cache_stats_t stats;
};

#define HASH_SEED 1469598103934665603ull
#define HASH_MUL 0x9E3779B97F4A7C15ull

/* A multiply-xorshift hash over 8-byte words (keys and commands run to hundreds of bytes; byte-wise FNV was a
 * visible share of a warm search). Not for adversaries: the inputs are our own keys. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (; n >= 8; n -= 8, b += 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * HASH_MUL;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, b, n);
    h = (h ^ w ^ ((uint64_t)n << 56)) * HASH_MUL;
    return h ^ (h >> 32);
}

uint64_t store_key_hash(const char *key, size_t len)
{
    return mix(HASH_SEED, key, len);
}

static uint64_t cmd_hash(const store_read_cmd_t *cmd)
{
    uint64_t h = HASH_SEED;
    for (int i = 0; i < cmd->argc; i++) h = mix(h ^ cmd->lens[i], cmd->argv[i], cmd->lens[i]);
    return h;
}

static size_t cmd_bytes(const store_read_cmd_t *cmd)
{
    size_t n = 0;
    for (int i = 0; i < cmd->argc; i++) n += 4 + cmd->lens[i];
    return n;
}

static bool cmd_equal(const store_cached_t *e, const store_read_cmd_t *cmd)
{
    const unsigned char *p = e->cmd, *end = e->cmd + e->cmd_len;
    for (int i = 0; i < cmd->argc; i++) {
        uint32_t len;
        if (end - p < 4) return false;
        memcpy(&len, p, 4);
        p += 4;
        if (len != cmd->lens[i] || (size_t)(end - p) < len || memcmp(p, cmd->argv[i], len) != 0) return false;
        p += len;
    }
    return p == end;
}

/* The bytes a copy of r takes in an entry's block: its nodes and element arrays (sizes, pointer-aligned), then,
 * separately in *text, its strings with their NULs. */
static size_t reply_size(const redisReply *r, size_t *text)
{
    size_t n = sizeof(redisReply);
    if (r->str != NULL) *text += r->len + 1;
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < r->elements; i++) n += sizeof(redisReply *) + reply_size(r->element[i], text);
    return n;
}

/* Copies r into the block (hiredis frees its own reply when the callback returns): nodes and arrays at *nodes,
 * strings at *text, both cursors moved past what was written. The block was sized by reply_size. */
static redisReply *copy_reply(const redisReply *r, unsigned char **nodes, char **text)
{
    redisReply *c = (redisReply *)(void *)*nodes;
    *nodes += sizeof(*c);
    memset(c, 0, sizeof(*c));
    c->type = r->type;
    c->integer = r->integer;
    if (r->str != NULL) {
        c->str = *text;
        memcpy(c->str, r->str, r->len);
        c->str[r->len] = '\0';
        c->len = r->len;
        *text += r->len + 1;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
        c->element = (redisReply **)(void *)*nodes;
        c->elements = r->elements;
        *nodes += r->elements * sizeof(*c->element);
        for (size_t i = 0; i < r->elements; i++) c->element[i] = copy_reply(r->element[i], nodes, text);
    }
    return c;
}

/* An entry, its key references, its reply and the command's bytes live in one block: one allocation instead of
 * one per reply node, string and array (a warm tenant's dozen entries held ~40 small blocks, whose headers and
 * rounding cost as much as a short day's text). */
static void entry_free(store_cached_t *e)
{
    free(e);
}

/* Takes an entry off the table and the list; it is freed once no caller holds it. */
static void unlist(store_read_cache_t *c, store_cached_t *e)
{
    store_cached_t **p = &c->buckets[e->hash & (c->n_buckets - 1)];
    while (*p != e) p = &(*p)->bucket_next;
    *p = e->bucket_next;
    for (int k = 0; k < e->key_count; k++) {
        key_ref_t **r = &c->key_buckets[e->keys[k].hash & (c->n_buckets - 1)];
        while (*r != &e->keys[k]) r = &(*r)->next;
        *r = e->keys[k].next;
    }
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    e->listed = false;
    c->stats.entries--;
    c->stats.bytes -= e->bytes;
    store_cached_release(e);
}

store_read_cache_t *store_read_cache_create(size_t max_entries, size_t max_bytes, uint64_t max_age_ms)
{
    store_read_cache_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return NULL;
    c->n_buckets = 64;
    while (c->n_buckets < max_entries * 2) c->n_buckets *= 2;
    c->buckets = calloc(c->n_buckets, sizeof(*c->buckets));
    c->key_buckets = calloc(c->n_buckets, sizeof(*c->key_buckets));
    if (c->buckets == NULL || c->key_buckets == NULL) {
        free(c->buckets);
        free(c->key_buckets);
        free(c);
        return NULL;
    }
    c->max_entries = max_entries > 0 ? max_entries : 1;
    c->max_bytes = max_bytes;
    c->max_age_ms = max_age_ms;
    return c;
}

void store_read_cache_clear(store_read_cache_t *c)
{
    while (c->oldest != NULL) unlist(c, c->oldest);
}

void store_read_cache_destroy(store_read_cache_t *c)
{
    if (c == NULL) return;
    store_read_cache_clear(c);
    free(c->buckets);
    free(c->key_buckets);
    free(c);
}

store_cached_t *store_read_cache_get(store_read_cache_t *c, const store_read_cmd_t *cmd, uint64_t now_ms)
{
    uint64_t h = cmd_hash(cmd);
    for (store_cached_t *e = c->buckets[h & (c->n_buckets - 1)]; e != NULL; e = e->bucket_next) {
        if (e->hash != h || !cmd_equal(e, cmd)) continue;
        if (now_ms >= e->expires_ms) {
            unlist(c, e);
            break;
        }
        c->stats.hits++;
        e->refs++;
        return e;
    }
    c->stats.misses++;
    return NULL;
}

static bool has_nil(const redisReply *r)
{
    if (r->type == REDIS_REPLY_NIL) return true;
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < r->elements; i++)
            if (r->element[i]->type == REDIS_REPLY_NIL) return true;
    return false;
}

void store_read_cache_put(store_read_cache_t *c, const store_read_cmd_t *cmd, const redisReply *reply, uint64_t now_ms)
{
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR || (!cmd->keep_nil && has_nil(reply))) return;
    store_cached_t *old = store_read_cache_get(c, cmd, now_ms);
    if (old != NULL) {
        c->stats.hits--; /* not a caller's hit */
        if (old->listed) unlist(c, old);
        store_cached_release(old);
    } else {
        c->stats.misses--;
    }
    size_t text = 0, keys = (size_t)cmd->key_count * sizeof(key_ref_t), cmd_len = cmd_bytes(cmd);
    size_t nodes = reply_size(reply, &text), bytes = sizeof(store_cached_t) + keys + nodes + text + cmd_len;
    if (bytes > c->max_bytes) return;
    store_cached_t *e = malloc(bytes);
    if (e == NULL) return;
    memset(e, 0, sizeof(*e));
    unsigned char *at = (unsigned char *)(e + 1);
    e->keys = (key_ref_t *)(void *)at;
    e->key_count = cmd->key_count;
    at += keys;
    char *strings = (char *)at + nodes;
    e->reply = copy_reply(reply, &at, &strings);
    e->cmd = (unsigned char *)strings;
    e->cmd_len = cmd_len;
    e->hash = cmd_hash(cmd);
    unsigned char *p = e->cmd;
    for (int i = 0; i < cmd->argc; i++) {
        uint32_t len = (uint32_t)cmd->lens[i];
        memcpy(p, &len, 4);
        memcpy(p + 4, cmd->argv[i], len);
        p += 4 + len;
    }
    for (int k = 0; k < cmd->key_count; k++) {
        key_ref_t *r = &e->keys[k];
        r->hash = store_key_hash(cmd->argv[cmd->first_key + k], cmd->lens[cmd->first_key + k]);
        r->entry = e;
        r->next = c->key_buckets[r->hash & (c->n_buckets - 1)];
        c->key_buckets[r->hash & (c->n_buckets - 1)] = r;
    }
    e->bytes = bytes;
    e->expires_ms = now_ms + c->max_age_ms;
    e->refs = 1;
    e->listed = true;
    size_t b = e->hash & (c->n_buckets - 1);
    e->bucket_next = c->buckets[b];
    c->buckets[b] = e;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
    c->stats.entries++;
    c->stats.bytes += bytes;
    /* Entries are listed in the order they were put, with one max age, so the oldest expire first: what has
     * expired goes now rather than when its command is asked again (which for most tenants is never within
     * the age, yet the copy would sit there until the caps pushed it out). */
    while (c->oldest != e && now_ms >= c->oldest->expires_ms) {
        c->stats.expired++;
        unlist(c, c->oldest);
    }
    while (c->stats.entries > c->max_entries || c->stats.bytes > c->max_bytes) {
        c->stats.evicted++;
        unlist(c, c->oldest);
    }
}

const redisReply *store_cached_reply(const store_cached_t *e)
{
    return e->reply;
}

void store_cached_release(store_cached_t *e)
{
    if (--e->refs == 0) entry_free(e);
}

void store_read_cache_invalidate(store_read_cache_t *c, const char *key, size_t len)
{
    uint64_t h = store_key_hash(key, len);
    key_ref_t *r = c->key_buckets[h & (c->n_buckets - 1)];
    while (r != NULL) {
        if (r->hash != h) {
            r = r->next;
            continue;
        }
        c->stats.invalidated++;
        unlist(c, r->entry); /* takes every key of that entry out of the chains, so the walk starts again */
        r = c->key_buckets[h & (c->n_buckets - 1)];
    }
}

store_read_cache_stats_t store_read_cache_stats(const store_read_cache_t *c)
{
    return c->stats;
}
