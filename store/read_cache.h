/* store/read_cache.h: replies of read commands kept on the worker that asked, keyed by the whole command, and
 * dropped as soon as Redis reports that one of the keys they read has changed (store.h: tracking).
 *
 * A warm /voice/bestSlot reads the catalog, a month of availability days and the holds of every practitioner:
 * a dozen Redis round trips that almost always answer what they answered a moment ago. Kept here, they cost a
 * hash lookup. The cache is single-threaded (one per store, on its loop); entries are reference counted so a
 * reply handed to a callback stays valid even when an invalidation drops the entry meanwhile. */
#ifndef FD_STORE_READ_CACHE_H
#define FD_STORE_READ_CACHE_H

#include <hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store_read_cache store_read_cache_t;
typedef struct store_cached store_cached_t;

/** A command as the cache sees it: argv[0..argc) and the argv indexes of the keys it reads. */
typedef struct store_read_cmd {
    int argc;
    const char *const *argv;
    const size_t *lens;
    int first_key, key_count; /* argv[first_key .. first_key + key_count) are Redis keys */
    bool keep_nil;            /* keep a reply that is or holds a nil (a missing key); callers that fill what is
                               * missing leave it false, so their next read goes to Redis */
} store_read_cmd_t;

/** Creates an empty cache holding at most max_entries replies and max_bytes of them, each for at most
 * max_age_ms (a bound for what tracking cannot report promptly: keys that expire). NULL when out of memory. */
store_read_cache_t *store_read_cache_create(size_t max_entries, size_t max_bytes, uint64_t max_age_ms);

/** Frees the cache; entries still referenced by a caller are freed when released. */
void store_read_cache_destroy(store_read_cache_t *cache);

/** The live entry for this command with a reference taken for the caller (release it), or NULL. */
store_cached_t *store_read_cache_get(store_read_cache_t *cache, const store_read_cmd_t *cmd, uint64_t now_ms);

/** Keeps a deep copy of `reply` for this command, replacing an older one; never an error reply, nor one with a
 * nil unless cmd->keep_nil. Entries past their max age at now_ms are dropped first; then the oldest entries go
 * until the caps hold (entries are listed in the order they were put: eviction is first in, first out, which
 * with one short max age for all is also oldest-to-expire first). */
void store_read_cache_put(store_read_cache_t *cache, const store_read_cmd_t *cmd, const redisReply *reply,
                          uint64_t now_ms);

/** The reply an entry holds (valid until the entry is released). */
const redisReply *store_cached_reply(const store_cached_t *entry);

/** Drops the caller's reference. */
void store_cached_release(store_cached_t *entry);

/** Drops every entry that read `key`. */
void store_read_cache_invalidate(store_read_cache_t *cache, const char *key, size_t len);

/** Drops every entry. */
void store_read_cache_clear(store_read_cache_t *cache);

/** A 64-bit hash of one key, as the cache compares keys. */
uint64_t store_key_hash(const char *key, size_t len);

/** Counters since creation, for tests and benchmarks. */
typedef struct store_read_cache_stats {
    uint64_t hits, misses, invalidated, evicted; /* evicted: pushed out by a cap */
    uint64_t expired;                            /* dropped at their max age by a later put */
    size_t entries, bytes;
} store_read_cache_stats_t;

/** The cache's counters. */
store_read_cache_stats_t store_read_cache_stats(const store_read_cache_t *cache);

#endif
