/* store/facts.c: an open-addressing map of name -> value strings (see facts.h). */
#include "store/facts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fact {
    char *name, *value;
} fact_t;

struct store_facts {
    fact_t *slots;
    size_t cap, count; /* cap: a power of two, kept at least twice count */
};

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s != '\0'; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot holding name, or the empty slot where it would go. */
static fact_t *slot_of(const store_facts_t *f, const char *name)
{
    size_t mask = f->cap - 1;
    for (size_t i = (size_t)name_hash(name) & mask;; i = (i + 1) & mask)
        if (f->slots[i].name == NULL || strcmp(f->slots[i].name, name) == 0) return &f->slots[i];
}

store_facts_t *store_facts_create(void)
{
    store_facts_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return NULL;
    f->cap = 64;
    if ((f->slots = calloc(f->cap, sizeof(*f->slots))) == NULL) {
        free(f);
        return NULL;
    }
    return f;
}

void store_facts_clear(store_facts_t *f)
{
    if (f == NULL || f->count == 0) return;
    for (size_t i = 0; i < f->cap; i++) {
        free(f->slots[i].name);
        free(f->slots[i].value);
        f->slots[i] = (fact_t){0};
    }
    f->count = 0;
}

void store_facts_destroy(store_facts_t *f)
{
    if (f == NULL) return;
    store_facts_clear(f);
    free(f->slots);
    free(f);
}

static int grow(store_facts_t *f)
{
    fact_t *old = f->slots;
    size_t old_cap = f->cap;
    fact_t *slots = calloc(old_cap * 2, sizeof(*slots));
    if (slots == NULL) return -1;
    f->slots = slots;
    f->cap = old_cap * 2;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].name != NULL) *slot_of(f, old[i].name) = old[i];
    free(old);
    return 0;
}

int store_facts_put(store_facts_t *f, const char *name, const char *value)
{
    if ((f->count + 1) * 2 > f->cap && grow(f) != 0) return -1;
    fact_t *at = slot_of(f, name);
    char *copy = strdup(value);
    if (at->name == NULL) {
        if (copy == NULL || (at->name = strdup(name)) == NULL) {
            free(copy);
            return -1;
        }
        f->count++;
    } else {
        free(at->value); /* out of memory, the name stays with no value, which matches nothing */
    }
    at->value = copy;
    return copy != NULL ? 0 : -1;
}

void store_facts_forget(store_facts_t *f, const char *name)
{
    if (f == NULL || f->count == 0) return;
    fact_t *at = slot_of(f, name);
    free(at->value); /* the name keeps its slot (probing stays simple); no value matches nothing */
    at->value = NULL;
}

size_t store_facts_count(const store_facts_t *f)
{
    return f != NULL ? f->count : 0;
}

bool store_facts_hold(const store_facts_t *f, const char *name, const char *value)
{
    if (f == NULL || f->count == 0) return false;
    const fact_t *at = slot_of(f, name);
    return at->name != NULL && at->value != NULL && strcmp(at->value, value) == 0;
}
