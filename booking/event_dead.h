/* booking/event_dead.h: the events that could not be delivered (dead after their endpoint's retry window, or
 * refused by it), as kept by booking/event_delivery.c for 30 days: listing them, and sending one again. */
#ifndef FD_BOOKING_EVENT_DEAD_H
#define FD_BOOKING_EVENT_DEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "booking/events.h"

#define BK_DEAD_LIST_MAX 100 /* per endpoint, latest first */

/** One dead event of one endpoint (strings borrowed during the callback). Times are UTC ms. */
typedef struct bk_dead_event {
    const char *endpoint_id, *id, *type, *last_error;
    const char *payload; /* the JSON that was signed and sent */
    size_t payload_len;
    int attempts;
    int64_t first_attempt_at, died_at;
} bk_dead_event_t;

/** Receives the dead events of every endpoint of the tenant (up to BK_DEAD_LIST_MAX each), or ok false when Redis
 * failed. */
typedef void (*bk_dead_events_cb)(bool ok, const bk_dead_event_t *events, size_t count, void *data);

/** Lists the tenant's dead events. Returns 0 and calls cb exactly once later, or -1 (Redis not connected) and
 * never calls it. A tenant without webhooks gets an empty list. */
int bk_events_list_dead(bk_env_t *env, const bk_tenant_t *tenant, bk_dead_events_cb cb, void *data);

/** Receives how many endpoints the event was queued again for (0: no such dead event), or -1 when Redis failed. */
typedef void (*bk_replay_cb)(int replayed, void *data);

/** Queues dead event `id` again, as it was (same id and payload, so receivers still deduplicate it), at the end of
 * the order of its patient, for every endpoint where it is dead; its retry window starts afresh. Same contract as
 * bk_events_list_dead. */
int bk_events_replay(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_replay_cb cb, void *data);

#endif
