/* store/script.c: EVALSHA with an EVAL fallback (see script.h). */
#include "store/script.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct call {
    store_t *store;
    store_script_t *script;
    store_reply_cb cb;
    void *data;
    int argc;
    const char **argv; /* 3 + keys + args entries, in the same allocation as the call */
    size_t *lens;
    char *copy; /* keys and args, copied: the retry needs them after the caller returned */
    char nkeys[12];
} call_t;

static pthread_mutex_t sha_lock = PTHREAD_MUTEX_INITIALIZER;

static void compute_sha(store_script_t *s)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[20];
    unsigned int n = 20;
    char sha[41];
    EVP_Digest(s->body, strlen(s->body), d, &n, EVP_sha1(), NULL);
    for (int i = 0; i < 20; i++) {
        sha[2 * i] = digits[d[i] >> 4];
        sha[2 * i + 1] = digits[d[i] & 15];
    }
    sha[40] = '\0';
    pthread_mutex_lock(&sha_lock);
    if (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE)) {
        memcpy(s->sha, sha, sizeof(sha));
        __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&sha_lock);
}

static void on_eval(const redisReply *reply, void *data)
{
    call_t *c = data;
    c->cb(reply, c->data);
    free(c);
}

static void on_evalsha(const redisReply *reply, void *data)
{
    call_t *c = data;
    if (reply != NULL && reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        c->argv[0] = "EVAL";
        c->lens[0] = 4;
        c->argv[1] = c->script->body;
        c->lens[1] = strlen(c->script->body);
        if (store_command(c->store, on_eval, c, c->argc, c->argv, c->lens) == 0) return;
        reply = NULL;
    }
    on_eval(reply, c);
}

static void ignore(const redisReply *reply, void *data)
{
}

static int eval(store_t *store, store_script_t *script, store_reply_cb cb, void *data, int nkeys,
                const char *const *keys, int nargs, const char *const *args, const size_t *arg_lens, bool cached)
{
    if (nkeys < 0 || nargs < 0 || !store_is_connected(store)) return -1;
    if (!__atomic_load_n(&script->ready, __ATOMIC_ACQUIRE)) compute_sha(script);
    size_t total = 0, slots = 3 + (size_t)nkeys + (size_t)nargs;
    for (int i = 0; i < nkeys; i++) total += strlen(keys[i]);
    for (int i = 0; i < nargs; i++) total += arg_lens != NULL ? arg_lens[i] : strlen(args[i]);
    /* one allocation: the call, its argument vector and lengths, then the copied keys and args */
    call_t *c = malloc(sizeof(*c) + slots * (sizeof(*c->argv) + sizeof(*c->lens)) + total + 1);
    if (c == NULL) return -1;
    *c = (call_t){.store = store, .script = script, .cb = cb != NULL ? cb : ignore, .data = data};
    c->argv = (const char **)(c + 1);
    c->lens = (size_t *)(c->argv + slots);
    c->copy = (char *)(c->lens + slots);
    if (store_script_sent(store, script)) {
        c->argv[0] = "EVALSHA";
        c->lens[0] = 7;
        c->argv[1] = script->sha;
        c->lens[1] = 40;
    } else { /* its first call on this connection carries the body, which also loads it into Redis */
        c->argv[0] = "EVAL";
        c->lens[0] = 4;
        c->argv[1] = script->body;
        c->lens[1] = strlen(script->body);
    }
    if (nkeys < 10) /* the usual case, without printf */
        c->nkeys[0] = (char)('0' + nkeys);
    else
        snprintf(c->nkeys, sizeof(c->nkeys), "%d", nkeys);
    c->argv[2] = c->nkeys;
    c->lens[2] = strlen(c->nkeys);
    size_t at = 0;
    int argc = 3;
    for (int i = 0; i < nkeys + nargs; i++) {
        const char *src = i < nkeys ? keys[i] : args[i - nkeys];
        size_t len = i < nkeys ? strlen(src) : (arg_lens != NULL ? arg_lens[i - nkeys] : strlen(src));
        memcpy(c->copy + at, src, len);
        c->argv[argc] = c->copy + at;
        c->lens[argc++] = len;
        at += len;
    }
    c->argc = argc;
    store_read_cmd_t read = {.argc = argc, .argv = c->argv, .lens = c->lens, .first_key = 3, .key_count = nkeys};
    if ((cached ? store_command_cached(store, on_evalsha, c, &read)
                : store_command(store, on_evalsha, c, argc, c->argv, c->lens)) != 0) {
        free(c);
        return -1;
    }
    return 0;
}

int store_eval(store_t *store, store_script_t *script, store_reply_cb cb, void *data, int nkeys,
               const char *const *keys, int nargs, const char *const *args, const size_t *arg_lens)
{
    return eval(store, script, cb, data, nkeys, keys, nargs, args, arg_lens, false);
}

int store_eval_cached(store_t *store, store_script_t *script, store_reply_cb cb, void *data, int nkeys,
                      const char *const *keys, int nargs, const char *const *args, const size_t *arg_lens)
{
    return eval(store, script, cb, data, nkeys, keys, nargs, args, arg_lens, true);
}
