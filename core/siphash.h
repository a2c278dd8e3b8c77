/* core/siphash.h: SipHash-2-4 with its 128-bit output (Aumasson and Bernstein's keyed hash, the variant OpenSSL
 * calls SIPHASH with size 16), written out so that a caller can absorb a message's fixed prefix once and finish
 * many messages that share it: the slot ids of one answer differ only in their last 16 bytes. */
#ifndef FD_CORE_SIPHASH_H
#define FD_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/** A hash in progress: a plain value, copied to branch off a shared prefix. */
typedef struct bk_siphash {
    uint64_t v0, v1, v2, v3;
    uint64_t pending; /* the bytes of a word not yet complete, little-endian */
    uint64_t length;  /* bytes absorbed so far */
} bk_siphash_t;

/** Starts a hash under the 16-byte key (read as two little-endian words). */
void bk_siphash_init(bk_siphash_t *h, const unsigned char key[16]);

/** Absorbs n bytes of the message. */
void bk_siphash_update(bk_siphash_t *h, const void *data, size_t n);

/** Writes the 16-byte tag of everything absorbed; h is left as it was, so it may be finished again or extended. */
void bk_siphash_final128(const bk_siphash_t *h, unsigned char out[16]);

#endif
