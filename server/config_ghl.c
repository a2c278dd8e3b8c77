/* server/config_ghl.c: GoHighLevel webhook tokens (see config_ghl.h). */
#include "server/config_ghl.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "server/key_digest.h"

bool srv_config_read_ghl_tokens(json_object *v, bk_tenant_t *t, char *problem, size_t cap)
{
    size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (n == 0 || n > BK_TENANT_MAX_GHL_TOKENS) {
        snprintf(problem, cap, "must be an array of one or two 64-hex-digit digests (from `frontdesk ghl-token`)");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        unsigned char digest[32];
        if (!json_object_is_type(e, json_type_string) || !srv_digest_parse_hex(json_object_get_string(e), digest)) {
            snprintf(problem, cap, "[%zu] must be 64 hex digits (the digest `frontdesk ghl-token` prints)", i);
            return false;
        }
        for (size_t k = 0; k < t->ghl_token_count; k++) {
            if (memcmp(t->ghl_token_digests[k], digest, 32) == 0) {
                snprintf(problem, cap, "[%zu] repeats a token of this tenant", i);
                return false;
            }
        }
        memcpy(t->ghl_token_digests[t->ghl_token_count++], digest, 32);
    }
    return true;
}

bool srv_ghl_tokens_shared(const bk_tenant_t *a, const bk_tenant_t *b)
{
    for (size_t i = 0; i < a->ghl_token_count; i++)
        for (size_t j = 0; j < b->ghl_token_count; j++)
            if (memcmp(a->ghl_token_digests[i], b->ghl_token_digests[j], 32) == 0) return true;
    return false;
}

const bk_tenant_t *srv_ghl_tenant(const bk_tenant_t *tenants, size_t count, const char *token, size_t len)
{
    if (token == NULL || len == 0 || len > 512) return NULL;
    unsigned char digest[32];
    srv_key_digest(token, len, digest);
    const bk_tenant_t *found = NULL;
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < tenants[i].ghl_token_count; k++)
            if (CRYPTO_memcmp(digest, tenants[i].ghl_token_digests[k], 32) == 0) found = &tenants[i];
    return found;
}

bool srv_ghl_token_new(char token[65], char digest_hex[65])
{
    unsigned char raw[SRV_GHL_TOKEN_BYTES], digest[32];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) return false;
    srv_digest_hex(raw, token); /* 32 random bytes written as hex */
    srv_key_digest(token, 64, digest);
    srv_digest_hex(digest, digest_hex);
    return true;
}
