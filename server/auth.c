/* server/auth.c: key digests and tenant lookup (see auth.h). */
#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

void srv_key_digest(const char *key, size_t len, unsigned char digest[32])
{
    unsigned int out_len = 32;
    EVP_Digest(key, len, digest, &out_len, EVP_sha256(), NULL);
}

void srv_digest_hex(const unsigned char digest[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

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
