/* providers/bridge_capabilities.c: what the tenant's bridge can do, asked once (POST .../capabilities) and
 * cached in the instance for its life (a config reload makes a new instance, so an integrator who adds a
 * capability reloads the tenant). Each worker asks when its Redis connection comes up, and while the answer is
 * unknown (the bridge was down at start) every call asks again in the background, at most every 10 s; a write,
 * which depends on the answer, asks first and waits for it. */
#include <stdlib.h>

#include "providers/bridge_internal.h"
#include "tz/tz.h"

#define CAPABILITIES_ASK_EVERY_MS 10000

unsigned bridge_live_capabilities(void *instance)
{
    bridge_t *b = instance;
    return atomic_load(&b->caps_known) ? atomic_load(&b->caps) : 0;
}

typedef struct waiter {
    bridge_t *b;
    void (*fn)(prov_status_t status, void *data);
    void *data;
} waiter_t;

static void on_capabilities(prov_status_t status, json_object *answer, void *data)
{
    waiter_t *w = data;
    if (status == PROV_OK) {
        unsigned caps = 0;
        const char *what = NULL;
        if (bridge_capabilities_decode(answer, &caps, &what) != 0) {
            status = bridge_bad_shape(w->b, BRIDGE_CAPABILITIES, what);
        } else {
            atomic_store(&w->b->caps, caps);
            atomic_store(&w->b->caps_known, true);
        }
    }
    if (w->fn != NULL) w->fn(status, w->data);
    free(w);
}

static int ask(bridge_t *b, prov_env_t *env, void (*fn)(prov_status_t status, void *data), void *data)
{
    waiter_t *w = malloc(sizeof(*w));
    json_object *body = json_object_new_object();
    if (w == NULL || body == NULL) {
        free(w);
        json_object_put(body);
        return -1;
    }
    *w = (waiter_t){.b = b, .fn = fn, .data = data};
    int rc = bridge_call(b, env, BRIDGE_CAPABILITIES, body, on_capabilities, w);
    json_object_put(body);
    if (rc != 0) free(w);
    return rc;
}

void bridge_learn_capabilities(void *instance, prov_env_t *env)
{
    bridge_t *b = instance;
    if (atomic_load(&b->caps_known)) return;
    int64_t now = tz_now(), asked = atomic_load(&b->caps_asked);
    if (asked != 0 && now - asked < CAPABILITIES_ASK_EVERY_MS) return; /* one question at a time, not a storm */
    if (atomic_compare_exchange_strong(&b->caps_asked, &asked, now)) (void)ask(b, env, NULL, NULL);
}

int bridge_with_capabilities(bridge_t *b, prov_env_t *env, void (*fn)(prov_status_t status, void *data), void *data)
{
    if (atomic_load(&b->caps_known)) return 1;
    return ask(b, env, fn, data) == 0 ? 0 : -1;
}
