/* server/key_digest.c: key digests (see key_digest.h). */
#include "server/key_digest.h"

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
