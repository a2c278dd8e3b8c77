/* tests/unit/store_cache_test.c: the worker's read cache against a real redis-server (private unix socket):
 * a repeated read costs Redis nothing, a write by anyone reaches the cache before the next read, missing keys
 * and untracked keys always go to Redis, a cached answer still arrives asynchronously, and losing the
 * invalidation connection empties the cache until tracking stands again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

typedef struct fixture {
    char dir[64], socket[128];
    pid_t redis;
    uv_loop_t loop;
    store_t *cached, *plain; /* the store under test; a second connection for writes and INFO */
} fixture_t;

typedef struct answer {
    bool done;
    int type;
    char text[8192];
    long long integer;
} answer_t;

static void on_answer(const redisReply *reply, void *data)
{
    answer_t *a = data;
    a->done = true;
    a->type = reply != NULL ? reply->type : -1;
    if (reply != NULL && reply->str != NULL) snprintf(a->text, sizeof(a->text), "%s", reply->str);
    if (reply != NULL) a->integer = reply->integer;
}

/* Runs the loop until *flag or about two seconds pass. */
static bool run_until(fixture_t *f, const bool *flag)
{
    for (int i = 0; i < 2000 && !*flag; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        if (!*flag) usleep(1000);
    }
    return *flag;
}

static bool cache_ready(fixture_t *f)
{
    for (int i = 0; i < 2000; i++) {
        if (store_cache_ready(f->cached)) return true;
        uv_run(&f->loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    return false;
}

/* Runs the loop until the cache has dropped more than `before` entries on Redis' word (about two seconds at most). */
static void wait_invalidated(fixture_t *f, uint64_t before)
{
    for (int i = 0; i < 2000 && store_cache_stats(f->cached).invalidated <= before; i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static answer_t command(fixture_t *f, store_t *s, const char *fmt, const char *a1, const char *a2)
{
    answer_t a = {0};
    assert_int_equal(store_commandf(s, on_answer, &a, fmt, a1, a2), 0);
    assert_true(run_until(f, &a.done));
    return a;
}

static answer_t cached_get(fixture_t *f, const char *key)
{
    const char *argv[] = {"GET", key};
    const size_t lens[] = {3, strlen(key)};
    store_read_cmd_t cmd = {.argc = 2, .argv = argv, .lens = lens, .first_key = 1, .key_count = 1};
    answer_t a = {0};
    assert_int_equal(store_command_cached(f->cached, on_answer, &a, &cmd), 0);
    assert_false(a.done); /* never inside the call, even from the cache */
    assert_true(run_until(f, &a.done));
    return a;
}

/* How many GETs Redis itself has served. */
static long long redis_gets(fixture_t *f)
{
    answer_t a = command(f, f->plain, "INFO commandstats", NULL, NULL);
    const char *p = strstr(a.text, "cmdstat_get:calls=");
    return p != NULL ? strtoll(p + 18, NULL, 10) : 0;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/fd-store-test-XXXXXX");
    if (mkdtemp(f->dir) == NULL) return -1;
    snprintf(f->socket, sizeof(f->socket), "%s/redis.sock", f->dir);
    f->redis = fork();
    if (f->redis == 0) {
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", f->socket, "--save", "",
               "--appendonly", "no", "--dir", f->dir, "--logfile", "", "--loglevel", "warning", (char *)NULL);
        _exit(127);
    }
    struct stat st;
    for (int i = 0; i < 500 && stat(f->socket, &st) != 0; i++) usleep(10000);
    uv_loop_init(&f->loop);
    f->cached = store_create(&f->loop, f->socket, NULL, NULL);
    f->plain = store_create(&f->loop, f->socket, NULL, NULL);
    const char *families[] = {""}; /* every key with a hash tag */
    if (f->cached == NULL || f->plain == NULL || store_enable_read_cache(f->cached, families, 1) != 0) return -1;
    *state = f;
    return cache_ready(f) ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_destroy(f->cached);
    store_destroy(f->plain);
    while (uv_run(&f->loop, UV_RUN_NOWAIT) != 0) {
    }
    uv_loop_close(&f->loop);
    kill(f->redis, SIGTERM);
    waitpid(f->redis, NULL, 0);
    unlink(f->socket);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void repeated_read_is_served_locally(void **state)
{
    fixture_t *f = *state;
    command(f, f->plain, "SET %s %s", "fd:{t}:a", "one");
    long long before = redis_gets(f);
    for (int i = 0; i < 5; i++) assert_string_equal(cached_get(f, "fd:{t}:a").text, "one");
    assert_int_equal(redis_gets(f) - before, 1);
    store_read_cache_stats_t st = store_cache_stats(f->cached);
    assert_true(st.hits >= 4);
}

static void a_write_by_anyone_reaches_the_cache(void **state)
{
    fixture_t *f = *state;
    command(f, f->plain, "SET %s %s", "fd:{t}:b", "old");
    assert_string_equal(cached_get(f, "fd:{t}:b").text, "old");
    assert_string_equal(cached_get(f, "fd:{t}:b").text, "old");
    uint64_t invalidated = store_cache_stats(f->cached).invalidated;
    command(f, f->plain, "SET %s %s", "fd:{t}:b", "new");
    wait_invalidated(f, invalidated);
    assert_string_equal(cached_get(f, "fd:{t}:b").text, "new");
    command(f, f->plain, "DEL %s", "fd:{t}:b", NULL);
    wait_invalidated(f, invalidated + 1);
    assert_int_equal(cached_get(f, "fd:{t}:b").type, REDIS_REPLY_NIL);
}

/* A write acknowledged to another client (another worker or process) is seen by the very next read, with no
 * loop turn in between for the invalidation to arrive on its own: the cache reads its watcher first. */
static void read_after_a_foreign_write_is_fresh(void **state)
{
    fixture_t *f = *state;
    redisContext *other = redisConnectUnix(f->socket); /* a blocking client: test code only */
    assert_non_null(other);
    assert_int_equal(other->err, 0);
    for (int round = 0; round < 20; round++) {
        char value[16];
        snprintf(value, sizeof(value), "v%d", round);
        freeReplyObject(redisCommand(other, "SET fd:{t}:f %s", value));
        assert_string_equal(cached_get(f, "fd:{t}:f").text, value);
        assert_string_equal(cached_get(f, "fd:{t}:f").text, value); /* and now from the cache */
    }
    assert_true(store_cache_stats(f->cached).hits >= 10);
    redisFree(other);
}

static void missing_and_untracked_keys_go_to_redis(void **state)
{
    fixture_t *f = *state;
    command(f, f->plain, "SET %s %s", "other:c", "x");
    long long before = redis_gets(f);
    for (int i = 0; i < 3; i++) assert_int_equal(cached_get(f, "fd:{t}:missing").type, REDIS_REPLY_NIL);
    for (int i = 0; i < 3; i++) assert_string_equal(cached_get(f, "other:c").text, "x");
    assert_int_equal(redis_gets(f) - before, 6);
}

static void losing_the_watcher_empties_the_cache(void **state)
{
    fixture_t *f = *state;
    command(f, f->plain, "SET %s %s", "fd:{t}:d", "first");
    assert_string_equal(cached_get(f, "fd:{t}:d").text, "first");
    assert_true(store_cache_stats(f->cached).entries >= 1);
    /* The invalidation connection is the only pub/sub client: while it is gone, nothing may be answered from
     * what might have changed unseen. */
    assert_int_equal(command(f, f->plain, "CLIENT KILL TYPE %s", "pubsub", NULL).type, REDIS_REPLY_INTEGER);
    for (int i = 0; i < 1000 && store_cache_ready(f->cached); i++) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    assert_false(store_cache_ready(f->cached));
    assert_int_equal(store_cache_stats(f->cached).entries, 0);
    command(f, f->plain, "SET %s %s", "fd:{t}:d", "changed unseen");
    assert_string_equal(cached_get(f, "fd:{t}:d").text, "changed unseen");
    assert_true(cache_ready(f)); /* it reconnects and tracks again */
    assert_string_equal(cached_get(f, "fd:{t}:d").text, "changed unseen");
    uint64_t invalidated = store_cache_stats(f->cached).invalidated;
    command(f, f->plain, "SET %s %s", "fd:{t}:d", "after");
    wait_invalidated(f, invalidated);
    assert_string_equal(cached_get(f, "fd:{t}:d").text, "after");
}

static void pending_hits_get_null_when_destroyed(void **state)
{
    fixture_t *f = *state;
    command(f, f->plain, "SET %s %s", "fd:{t}:e", "v");
    assert_string_equal(cached_get(f, "fd:{t}:e").text, "v");
    const char *argv[] = {"GET", "fd:{t}:e"};
    const size_t lens[] = {3, 8};
    store_read_cmd_t cmd = {.argc = 2, .argv = argv, .lens = lens, .first_key = 1, .key_count = 1};
    answer_t a = {0};
    assert_int_equal(store_command_cached(f->cached, on_answer, &a, &cmd), 0);
    store_destroy(f->cached);
    f->cached = NULL;
    assert_true(a.done);
    assert_int_equal(a.type, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(repeated_read_is_served_locally, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_by_anyone_reaches_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(read_after_a_foreign_write_is_fresh, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_and_untracked_keys_go_to_redis, setup, teardown),
        cmocka_unit_test_setup_teardown(losing_the_watcher_empties_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(pending_hits_get_null_when_destroyed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
