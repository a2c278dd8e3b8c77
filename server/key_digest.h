/* server/key_digest.h: SHA-256 digests of API and widget keys, as the config stores them. */
#ifndef FD_SERVER_KEY_DIGEST_H
#define FD_SERVER_KEY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

/** Writes the SHA-256 of key[0..len) into digest. */
void srv_key_digest(const char *key, size_t len, unsigned char digest[32]);

/** Writes the lowercase hex of a digest into hex (65 bytes with the NUL). */
void srv_digest_hex(const unsigned char digest[32], char hex[65]);

/** Reads 64 hex digits (either case) into digest. Returns false when hex is anything else. */
bool srv_digest_parse_hex(const char *hex, unsigned char digest[32]);

#endif
