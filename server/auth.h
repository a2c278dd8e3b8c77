/* server/auth.h: API keys: SHA-256 digests, and the tenant a key belongs to (constant-time comparison). */
#ifndef FD_SERVER_AUTH_H
#define FD_SERVER_AUTH_H

#include <stddef.h>

#include "server/config.h"

/** Writes the SHA-256 of key[0..len) into digest. */
void srv_key_digest(const char *key, size_t len, unsigned char digest[32]);

/** Writes the lowercase hex of a digest into hex (65 bytes with the NUL). */
void srv_digest_hex(const unsigned char digest[32], char hex[65]);

/** The tenant one of whose keys (a tenant has one or two during a rotation) is key[0..len), or NULL. Compares
 * against every key of every tenant in constant time per digest,
 * so timing tells nothing about which digest bytes matched. */
const bk_tenant_t *srv_auth_tenant(const srv_config_t *config, const char *key, size_t len);

#endif
