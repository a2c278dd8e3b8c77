/* booking/event_sign.c: Standard Webhooks secrets and signatures (see event_sign.h). */
#include "booking/event_sign.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bk_webhook_secret_decode(const char *text, unsigned char out[BK_WEBHOOK_SECRET_MAX])
{
    if (text == NULL || strncmp(text, "whsec_", 6) != 0) return -1;
    const char *b64 = text + 6;
    size_t len = strlen(b64);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 > BK_WEBHOOK_SECRET_MAX) return -1;
    unsigned char buf[BK_WEBHOOK_SECRET_MAX + 3];
    int n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
    if (n < 0) return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (b64[len - 1] == '=') n--;
    if (b64[len - 2] == '=') n--;
    if (n < 16) return -1;
    memcpy(out, buf, (size_t)n);
    return n;
}

bool bk_webhook_sign(const bk_webhook_endpoint_t *endpoint, const char *id, int64_t timestamp, const char *body,
                     size_t body_len, char out[BK_WEBHOOK_SIGNATURE_CAP])
{
    char head[96];
    int head_len = snprintf(head, sizeof(head), "%s.%" PRId64 ".", id, timestamp);
    if (head_len < 0 || (size_t)head_len >= sizeof(head)) return false;
    char *msg = malloc((size_t)head_len + body_len);
    if (msg == NULL) return false;
    memcpy(msg, head, (size_t)head_len);
    memcpy(msg + head_len, body, body_len);
    size_t at = 0;
    bool ok = true;
    for (int i = 0; ok && i < endpoint->secret_count; i++) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        ok = HMAC(EVP_sha256(), endpoint->secrets[i], (int)endpoint->secret_lens[i], (const unsigned char *)msg,
                  (size_t)head_len + body_len, mac, &mac_len) != NULL &&
             mac_len == 32;
        if (!ok) break;
        if (at > 0) out[at++] = ' ';
        memcpy(out + at, "v1,", 3);
        at += 3;
        at += (size_t)EVP_EncodeBlock((unsigned char *)out + at, mac, (int)mac_len);
    }
    free(msg);
    if (!ok) return false;
    out[at] = '\0';
    return true;
}
