/* providers/bridge_sign.c: see bridge_sign.h. */
#include "providers/bridge_sign.h"

#include <inttypes.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bridge_sign(const char *secret, size_t secret_len, int64_t timestamp_s, const char *body, size_t body_len,
                char out[BRIDGE_SIGNATURE_CAP])
{
    out[0] = '\0';
    char stamp[24];
    int sl = snprintf(stamp, sizeof(stamp), "%" PRId64 ".", timestamp_s);
    unsigned char *signed_bytes = malloc((size_t)sl + body_len + 1);
    if (signed_bytes == NULL) return -1;
    memcpy(signed_bytes, stamp, (size_t)sl);
    if (body_len > 0) memcpy(signed_bytes + sl, body, body_len);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    bool ok = HMAC(EVP_sha256(), secret, (int)secret_len, signed_bytes, (size_t)sl + body_len, mac, &mac_len) != NULL;
    free(signed_bytes);
    if (!ok || mac_len != 32) return -1;
    static const char hex[] = "0123456789abcdef";
    memcpy(out, "v1=", 3);
    for (unsigned i = 0; i < mac_len; i++) {
        out[3 + 2 * i] = hex[mac[i] >> 4];
        out[4 + 2 * i] = hex[mac[i] & 15];
    }
    out[3 + 2 * mac_len] = '\0';
    return 0;
}
