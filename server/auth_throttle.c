/* server/auth_throttle.c: per-address table of wrong API keys (see auth_throttle.h). */
#include "server/auth_throttle.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_TENANTS 8 /* tenants remembered per address as having been accepted from it */
#define PROBES 8        /* slots looked at per address; the stalest of them is reused for a new one */

typedef struct entry {
    unsigned char addr[17]; /* family byte, then 4 or 16 address bytes; all zero = free */
    uint64_t window_start, last_seen;
    unsigned failures;
    const bk_tenant_t *known[KNOWN_TENANTS];
    unsigned next_known;
} entry_t;

struct srv_auth_throttle {
    entry_t slots[SRV_AUTH_THROTTLE_SLOTS];
};

srv_auth_throttle_t *srv_auth_throttle_create(void)
{
    return calloc(1, sizeof(srv_auth_throttle_t));
}

void srv_auth_throttle_destroy(srv_auth_throttle_t *throttle)
{
    free(throttle);
}

/* The table key of addr; false for families we do not throttle. */
static bool key_of(const struct sockaddr *addr, unsigned char key[17])
{
    memset(key, 0, 17);
    if (addr->sa_family == AF_INET) {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)addr)->sin_addr, 4);
        return true;
    }
    if (addr->sa_family == AF_INET6) {
        key[0] = 6;
        memcpy(key + 1, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
        return true;
    }
    return false;
}

/* The entry of key, or NULL when it has none and create is false; a new entry takes the stalest probed slot. */
static entry_t *find(srv_auth_throttle_t *t, const unsigned char key[17], bool create)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 17; i++) h = (h ^ key[i]) * 1099511628211ULL;
    entry_t *stalest = NULL;
    for (unsigned i = 0; i < PROBES; i++) {
        entry_t *e = &t->slots[(h + i) % SRV_AUTH_THROTTLE_SLOTS];
        if (memcmp(e->addr, key, 17) == 0) return e;
        if (stalest == NULL || (stalest->addr[0] != 0 && (e->addr[0] == 0 || e->last_seen < stalest->last_seen)))
            stalest = e;
    }
    if (!create) return NULL;
    memset(stalest, 0, sizeof(*stalest));
    memcpy(stalest->addr, key, 17);
    return stalest;
}

int srv_auth_throttle_check(srv_auth_throttle_t *t, const struct sockaddr *addr, const bk_tenant_t *tenant,
                            uint64_t now_ms)
{
    unsigned char key[17];
    if (t == NULL || addr == NULL || !key_of(addr, key)) return 0;
    entry_t *e = find(t, key, true);
    e->last_seen = now_ms;
    bool window_open = e->failures > 0 && now_ms < e->window_start + SRV_AUTH_FAIL_WINDOW_MS;
    if (!window_open) e->failures = 0;
    if (window_open && e->failures >= SRV_AUTH_FAIL_LIMIT) {
        for (int i = 0; tenant != NULL && i < KNOWN_TENANTS; i++)
            if (e->known[i] == tenant) return 0;
        uint64_t left = e->window_start + SRV_AUTH_FAIL_WINDOW_MS - now_ms;
        return (int)((left + 999) / 1000);
    }
    if (tenant != NULL) {
        for (int i = 0; i < KNOWN_TENANTS; i++)
            if (e->known[i] == tenant) return 0;
        e->known[e->next_known++ % KNOWN_TENANTS] = tenant;
        return 0;
    }
    if (e->failures++ == 0) e->window_start = now_ms;
    return 0;
}
