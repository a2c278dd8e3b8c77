/* server/auth.h: API keys: the tenant a key belongs to (constant-time comparison of SHA-256 digests). */
#ifndef FD_SERVER_AUTH_H
#define FD_SERVER_AUTH_H

#include <h2o.h>
#include <stddef.h>

#include "server/config.h"
#include "server/key_digest.h"

/** The tenant one of whose keys (a tenant has one or two during a rotation) is key[0..len), or NULL. Compares
 * against every key of every tenant in constant time per digest,
 * so timing tells nothing about which digest bytes matched. */
const bk_tenant_t *srv_auth_tenant(const srv_config_t *config, const char *key, size_t len);

/** The API key a request presents: its x-api-key header, else the token of "Authorization: Bearer <key>", else
 * X-Vapi-Secret (the credential header Vapi sends a server URL). {NULL, 0} when it presents none. */
h2o_iovec_t srv_auth_presented_key(h2o_req_t *req);

#endif
