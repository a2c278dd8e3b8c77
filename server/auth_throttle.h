/* server/auth_throttle.h: wrong API keys throttled per client address, so keys cannot be guessed at line rate.
 *
 * Each worker keeps its own table (in-process, no Redis round trip on the request path, nothing shared to lock):
 * once an address has sent SRV_AUTH_FAIL_LIMIT requests with a missing or wrong key within
 * SRV_AUTH_FAIL_WINDOW_MS of its first failure, every further key from it is refused (429 with the seconds left)
 * until that window ends, whether or not the key is right, so a guess cannot be confirmed. Keys that were
 * accepted from the address before are the exception and keep working, so a clinic's agent behind the same NAT
 * as a misconfigured one is not locked out; other addresses are never affected. With W workers an address gets
 * at most W x SRV_AUTH_FAIL_LIMIT wrong keys per window (the kernel spreads connections over the workers). The
 * table holds SRV_AUTH_THROTTLE_SLOTS addresses; the least recently seen one is forgotten first. */
#ifndef FD_SERVER_AUTH_THROTTLE_H
#define FD_SERVER_AUTH_THROTTLE_H

#include <stdint.h>
#include <sys/socket.h>

#include "core/model.h"

#define SRV_AUTH_FAIL_LIMIT 50
#define SRV_AUTH_FAIL_WINDOW_MS 60000u
#define SRV_AUTH_THROTTLE_SLOTS 1024

typedef struct srv_auth_throttle srv_auth_throttle_t;

/** A worker's empty table, or NULL when out of memory. */
srv_auth_throttle_t *srv_auth_throttle_create(void);

void srv_auth_throttle_destroy(srv_auth_throttle_t *throttle);

/** Records one key check from `addr` (IPv4 or IPv6; other families are never throttled) whose key belongs to
 * `tenant` (NULL: missing or wrong), at loop time now_ms. Returns 0 when the request goes on (served, or
 * answered 401), or the whole seconds to wait (1 or more) when it must be answered 429 instead. */
int srv_auth_throttle_check(srv_auth_throttle_t *throttle, const struct sockaddr *addr, const bk_tenant_t *tenant,
                            uint64_t now_ms);

#endif
