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

h2o_iovec_t srv_auth_presented_key(h2o_req_t *req)
{
    ssize_t at = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-api-key"), -1);
    if (at >= 0) return req->headers.entries[at].value;
    at = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (at >= 0) {
        h2o_iovec_t v = req->headers.entries[at].value;
        if (v.len > 7 && h2o_lcstris(v.base, 7, H2O_STRLIT("bearer ")))
            return h2o_iovec_init(v.base + 7, v.len - 7);
    }
    at = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-vapi-secret"), -1);
    if (at >= 0) return req->headers.entries[at].value;
    return h2o_iovec_init(NULL, 0);
}
