/* server/auth.h: API keys: the tenant a key belongs to (constant-time comparison of SHA-256 digests). */
#ifndef FD_SERVER_AUTH_H
#define FD_SERVER_AUTH_H

#include <stddef.h>

#include "server/config.h"
#include "server/key_digest.h"

/** The tenant one of whose keys (a tenant has one or two during a rotation) is key[0..len), or NULL. Compares
 * against every key of every tenant in constant time per digest,
 * so timing tells nothing about which digest bytes matched. */
const bk_tenant_t *srv_auth_tenant(const srv_config_t *config, const char *key, size_t len);

#endif
