/* server/key_digest.c: key digests (see key_digest.h). */
#include "server/key_digest.h"

#include <openssl/evp.h>
#include <string.h>

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

bool srv_digest_parse_hex(const char *hex, unsigned char digest[32])
{
    if (strlen(hex) != 64) return false;
    for (int i = 0; i < 32; i++) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else return false;
        }
        digest[i] = (unsigned char)v;
    }
    return true;
}
