/* store/facts.h: a small map of facts a caller checked in Redis (name -> value), kept by the store and emptied
 * whenever Redis may have lost data (see store_remember in store.h). Internal to store/. */
#ifndef FD_STORE_FACTS_H
#define FD_STORE_FACTS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct store_facts store_facts_t;

/** An empty map, or NULL when out of memory. */
store_facts_t *store_facts_create(void);

/** Frees the map (NULL is fine). */
void store_facts_destroy(store_facts_t *facts);

/** Forgets every fact. */
void store_facts_clear(store_facts_t *facts);

/** Records that name holds value, replacing what name held. Returns 0, or -1 when out of memory (then name is
 * forgotten: a fact is never left half written). */
int store_facts_put(store_facts_t *facts, const char *name, const char *value);

/** Forgets what name holds (nothing when it holds nothing). */
void store_facts_forget(store_facts_t *facts, const char *name);

/** How many names were recorded (0 for NULL). */
size_t store_facts_count(const store_facts_t *facts);

/** True when name was recorded with exactly this value. */
bool store_facts_hold(const store_facts_t *facts, const char *name, const char *value);

#endif
