/* server/auth.c: the tenant a key belongs to (see auth.h). */
#include "server/auth.h"

#include <openssl/crypto.h>

const bk_tenant_t *srv_auth_tenant(const srv_config_t *config, const char *key, size_t len)
{
    if (key == NULL || len == 0 || len > 512) return NULL;
    unsigned char digest[32];
    srv_key_digest(key, len, digest);
    const bk_tenant_t *found = NULL;
    for (size_t i = 0; i < config->tenant_count; i++)
        for (size_t k = 0; k < config->tenants[i].key_count; k++)
            if (CRYPTO_memcmp(digest, config->tenants[i].key_digests[k], 32) == 0) found = &config->tenants[i];
    return found;
}
