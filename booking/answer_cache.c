/* booking/answer_cache.c: recent bestSlot answers per worker (see answer_cache.h). */
#include "booking/answer_cache.h"

#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "store/read_cache.h"

typedef struct answer {
    char *question; /* tenant, NUL, query */
    size_t question_len;
    uint64_t epoch, at_ms;
    int status;
    char *body;
    size_t len;
} answer_t;

struct bk_answer_cache {
    answer_t *slots;
    size_t n;
};

bk_answer_cache_t *bk_answer_cache_create(size_t slots)
{
    bk_answer_cache_t *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->slots = calloc(slots ? slots : 1, sizeof(*c->slots))) == NULL) {
        free(c);
        return NULL;
    }
    c->n = slots ? slots : 1;
    return c;
}

void bk_answer_cache_destroy(bk_answer_cache_t *c)
{
    if (c == NULL) return;
    for (size_t i = 0; i < c->n; i++) free(c->slots[i].question), free(c->slots[i].body);
    free(c->slots);
    free(c);
}

/* The slot of a question, and the question written as tenant NUL query into buf (NULL when it does not fit). */
static answer_t *slot_of(bk_answer_cache_t *c, const char *tenant, const char *question, size_t len, char *buf,
                         size_t cap, size_t *key_len)
{
    size_t t = strlen(tenant);
    if (t + 1 + len > cap) return NULL;
    memcpy(buf, tenant, t + 1);
    memcpy(buf + t + 1, question, len);
    *key_len = t + 1 + len;
    return &c->slots[store_key_hash(buf, *key_len) % c->n];
}

const char *bk_answer_cache_get(bk_answer_cache_t *c, const char *tenant, const char *question, size_t question_len,
                                uint64_t epoch, uint64_t now_ms, size_t *len, int *status)
{
    char key[4096];
    size_t key_len;
    answer_t *a = slot_of(c, tenant, question, question_len, key, sizeof(key), &key_len);
    if (a == NULL || a->body == NULL || a->epoch != epoch || now_ms < a->at_ms ||
        now_ms - a->at_ms >= BK_ANSWER_MAX_AGE_MS || a->question_len != key_len ||
        memcmp(a->question, key, key_len) != 0) {
        fd_mx_cache_lookup(FD_MX_CACHE_ANSWER, false);
        return NULL;
    }
    fd_mx_cache_lookup(FD_MX_CACHE_ANSWER, true);
    *len = a->len;
    *status = a->status;
    return a->body;
}

void bk_answer_cache_put(bk_answer_cache_t *c, const char *tenant, const char *question, size_t question_len,
                         uint64_t epoch, uint64_t now_ms, int status, const char *body, size_t len)
{
    char key[4096];
    size_t key_len;
    answer_t *a = slot_of(c, tenant, question, question_len, key, sizeof(key), &key_len);
    if (a == NULL) return;
    char *q = malloc(key_len), *b = malloc(len ? len : 1);
    if (q == NULL || b == NULL) {
        free(q), free(b);
        return;
    }
    memcpy(q, key, key_len);
    memcpy(b, body, len);
    free(a->question), free(a->body);
    *a = (answer_t){.question = q,
                    .question_len = key_len,
                    .epoch = epoch,
                    .at_ms = now_ms,
                    .status = status,
                    .body = b,
                    .len = len};
}
