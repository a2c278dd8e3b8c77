/* tests/unit/store_read_cache_test.c: the read cache's own bookkeeping, without Redis: an invalidated key drops
 * exactly the entries that read it (one key of several is enough), every other entry keeps answering, among a
 * thousand tenants' entries as among three; a reply a caller holds outlives its entry's invalidation; eviction
 * and replacement leave nothing an invalidation could still reach; what has outlived its max age is gone after
 * the next put (its memory with it), and a byte cap keeps the newest reads, answering them whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "store/read_cache.h"

#define NOW 1000000

/* A GET-like read of `keys` (one or two): argv = {"MGET", keys...}. */
typedef struct read {
    const char *argv[3];
    size_t lens[3];
    store_read_cmd_t cmd;
} read_t;

static read_t *read_of(read_t *r, const char *k1, const char *k2)
{
    memset(r, 0, sizeof(*r));
    r->argv[0] = "MGET";
    r->argv[1] = k1;
    r->argv[2] = k2;
    for (int i = 0; i < 3; i++) r->lens[i] = r->argv[i] != NULL ? strlen(r->argv[i]) : 0;
    r->cmd = (store_read_cmd_t){.argc = k2 != NULL ? 3 : 2, .argv = r->argv, .lens = r->lens, .first_key = 1,
                                .key_count = k2 != NULL ? 2 : 1};
    return r;
}

static void put(store_read_cache_t *c, const char *k1, const char *k2, const char *value)
{
    read_t r;
    redisReply reply = {.type = REDIS_REPLY_STRING, .str = (char *)value, .len = strlen(value)};
    store_read_cache_put(c, &read_of(&r, k1, k2)->cmd, &reply, NOW);
}

/* The cached text for this read, or "" when the cache has none. */
static const char *cached(store_read_cache_t *c, const char *k1, const char *k2, char *out, size_t cap)
{
    read_t r;
    store_cached_t *e = store_read_cache_get(c, &read_of(&r, k1, k2)->cmd, NOW + 1);
    snprintf(out, cap, "%s", e != NULL ? store_cached_reply(e)->str : "");
    if (e != NULL) store_cached_release(e);
    return out;
}

static void invalidate(store_read_cache_t *c, const char *key)
{
    store_read_cache_invalidate(c, key, strlen(key));
}

static void test_one_key_of_several_drops_exactly_its_readers(void **state)
{
    (void)state;
    store_read_cache_t *c = store_read_cache_create(4096, 64 << 20, 60000);
    char buf[64], key[64], other[64];
    for (int t = 0; t < 1000; t++) { /* a thousand tenants' catalog and day reads */
        snprintf(key, sizeof(key), "fd:{t%d}:catalog", t);
        snprintf(other, sizeof(other), "fd:{t%d}:avail:day", t);
        put(c, key, NULL, "catalog");
        put(c, key, other, "both");
    }
    invalidate(c, "fd:{t500}:avail:day");
    assert_string_equal(cached(c, "fd:{t500}:catalog", NULL, buf, sizeof(buf)), "catalog");
    assert_string_equal(cached(c, "fd:{t500}:catalog", "fd:{t500}:avail:day", buf, sizeof(buf)), "");
    assert_string_equal(cached(c, "fd:{t501}:catalog", "fd:{t501}:avail:day", buf, sizeof(buf)), "both");
    invalidate(c, "fd:{t7}:catalog"); /* both of t7's entries read it */
    assert_string_equal(cached(c, "fd:{t7}:catalog", NULL, buf, sizeof(buf)), "");
    assert_string_equal(cached(c, "fd:{t7}:catalog", "fd:{t7}:avail:day", buf, sizeof(buf)), "");
    assert_string_equal(cached(c, "fd:{t8}:catalog", NULL, buf, sizeof(buf)), "catalog");
    invalidate(c, "fd:{t7}:catalog"); /* again, and a key nobody read: nothing else goes */
    invalidate(c, "fd:{nobody}:catalog");
    assert_int_equal(store_read_cache_stats(c).entries, 2000 - 3);
    assert_int_equal(store_read_cache_stats(c).invalidated, 3);
    store_read_cache_destroy(c);
}

static void test_a_held_reply_outlives_its_invalidation(void **state)
{
    (void)state;
    store_read_cache_t *c = store_read_cache_create(16, 1 << 20, 60000);
    read_t r;
    put(c, "k", NULL, "held");
    store_cached_t *e = store_read_cache_get(c, &read_of(&r, "k", NULL)->cmd, NOW + 1);
    assert_non_null(e);
    invalidate(c, "k");
    assert_string_equal(store_cached_reply(e)->str, "held");
    store_cached_release(e);
    char buf[16];
    assert_string_equal(cached(c, "k", NULL, buf, sizeof(buf)), "");
    store_read_cache_destroy(c);
}

static void test_evicted_and_replaced_entries_leave_no_key_behind(void **state)
{
    (void)state;
    store_read_cache_t *c = store_read_cache_create(2, 1 << 20, 60000);
    char buf[16];
    put(c, "a", "shared", "a1");
    put(c, "a", "shared", "a2"); /* replaces a1 */
    put(c, "b", "shared", "b");
    put(c, "c", NULL, "c"); /* evicts the oldest: a2 */
    assert_string_equal(cached(c, "a", "shared", buf, sizeof(buf)), "");
    invalidate(c, "a"); /* reaches nothing freed (ASan would say) and nothing live */
    assert_string_equal(cached(c, "b", "shared", buf, sizeof(buf)), "b");
    invalidate(c, "shared");
    assert_string_equal(cached(c, "b", "shared", buf, sizeof(buf)), "");
    assert_string_equal(cached(c, "c", NULL, buf, sizeof(buf)), "c");
    assert_int_equal(store_read_cache_stats(c).entries, 1);
    store_read_cache_destroy(c);
}

/* Like put, at a given time. */
static void put_at(store_read_cache_t *c, const char *key, const char *value, uint64_t now_ms)
{
    read_t r;
    redisReply reply = {.type = REDIS_REPLY_STRING, .str = (char *)value, .len = strlen(value)};
    store_read_cache_put(c, &read_of(&r, key, NULL)->cmd, &reply, now_ms);
}

static void test_expired_entries_go_at_the_next_put(void **state)
{
    (void)state;
    store_read_cache_t *c = store_read_cache_create(4096, 64 << 20, 2000);
    char key[64], buf[16];
    for (int t = 0; t < 1000; t++) { /* a burst of a thousand tenants, none asked again */
        snprintf(key, sizeof(key), "fd:{t%d}:catalog", t);
        put_at(c, key, "catalog", NOW + (uint64_t)t);
    }
    assert_int_equal(store_read_cache_stats(c).entries, 1000);
    put_at(c, "fd:{late}:catalog", "late", NOW + 2500); /* the first 501 are past 2 s by now */
    store_read_cache_stats_t st = store_read_cache_stats(c);
    assert_int_equal(st.entries, 1000 - 501 + 1);
    assert_int_equal(st.expired, 501);
    assert_int_equal(st.evicted, 0);
    read_t r;
    store_cached_t *e = store_read_cache_get(c, &read_of(&r, "fd:{t600}:catalog", NULL)->cmd, NOW + 2500);
    assert_non_null(e);
    assert_string_equal(store_cached_reply(e)->str, "catalog");
    store_cached_release(e);
    assert_string_equal(cached(c, "fd:{late}:catalog", NULL, buf, sizeof(buf)), "late");
    store_read_cache_destroy(c);
}

static void test_a_byte_cap_keeps_the_newest_whole(void **state)
{
    (void)state;
    store_read_cache_t *c = store_read_cache_create(4096, 16 << 10, 60000);
    char key[64], value[512], buf[600];
    for (int t = 0; t < 200; t++) { /* 200 days of ~500 bytes: far more than 16 KiB */
        snprintf(key, sizeof(key), "fd:{t}:avail:day%d", t);
        memset(value, 'a' + t % 26, sizeof(value) - 1);
        value[sizeof(value) - 1] = '\0';
        put(c, key, NULL, value);
    }
    store_read_cache_stats_t st = store_read_cache_stats(c);
    assert_true(st.bytes <= 16 << 10);
    assert_true(st.evicted > 150);
    assert_int_equal(st.entries + st.evicted, 200);
    assert_string_equal(cached(c, "fd:{t}:avail:day0", NULL, buf, sizeof(buf)), "");
    cached(c, "fd:{t}:avail:day199", NULL, buf, sizeof(buf));
    assert_int_equal(strlen(buf), sizeof(value) - 1);
    assert_int_equal(buf[0], 'a' + 199 % 26);
    assert_int_equal(buf[510], 'a' + 199 % 26);
    store_read_cache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_key_of_several_drops_exactly_its_readers),
        cmocka_unit_test(test_a_held_reply_outlives_its_invalidation),
        cmocka_unit_test(test_evicted_and_replaced_entries_leave_no_key_behind),
        cmocka_unit_test(test_expired_entries_go_at_the_next_put),
        cmocka_unit_test(test_a_byte_cap_keeps_the_newest_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
