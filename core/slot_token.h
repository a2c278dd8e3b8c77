/* core/slot_token.h: slot_id, the opaque, tamper-proof name of an offered slot (tenant, practitioner,
 * treatment, location, start, end), signed with the server secret, so agents book what they were offered and
 * never a time a language model made up.
 *
 * Two spellings are read; the second is written. Version 1: base64url of the JSON array [1, tenant, staff,
 * treatment, location, start, end], ".", base64url of the first 16 bytes of its HMAC-SHA256. Version 2 (one cheap
 * MAC over a compact binary form, as an answer may list thousands of slots): base64url of the byte 2, then each
 * of tenant, staff, treatment and location as one length byte and its bytes, then start and end as 8-byte
 * little-endian UTC ms; ".", base64url of its 16-byte SipHash-2-4 under a key derived once from the secret
 * (the first 16 bytes of HMAC-SHA256(secret, "frontdesk slot id v2")). */
#ifndef FD_BOOKING_SLOT_TOKEN_H
#define FD_BOOKING_SLOT_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/siphash.h"

#define BK_SLOT_TOKEN_CAP 1024

typedef struct bk_slot_ref {
    char tenant[80], staff_id[160], treatment_id[160], location_id[160];
    int64_t start, end; /* UTC ms */
} bk_slot_ref_t;

/** Writes the token of `ref` (URL-safe base64 payload "." truncated signature) into out (BK_SLOT_TOKEN_CAP).
 * Returns its length, or 0 when it does not fit. */
size_t bk_slot_token_make(const unsigned char *secret, size_t secret_len, const bk_slot_ref_t *ref, char *out);

/** The work bk_slot_token_make shares between the slots of one tenant, practitioner, treatment and location: their
 * payloads differ only in the last 16 bytes (the times), so the MAC of the fixed part and its base64url text are
 * found once. A plain value (no pointers into itself: it may be copied). */
typedef struct bk_slot_token_prep {
    bool ok;                          /* false: an id is empty or too long, or OpenSSL failed; tokens are "" */
    bk_siphash_t mac;                 /* the MAC after the fixed part */
    char head[BK_SLOT_TOKEN_CAP];     /* base64url of the fixed part's first head_bytes (a multiple of 3) bytes */
    size_t head_len;
    unsigned char rest[2];            /* the fixed part's bytes after those (0-2), encoded with the times */
    size_t rest_len;
} bk_slot_token_prep_t;

/** Prepares the tokens of ref's tenant, staff, treatment and location (ref's times are not read) under secret.
 * Returns p->ok. */
bool bk_slot_token_prepare(const unsigned char *secret, size_t secret_len, const bk_slot_ref_t *ref,
                           bk_slot_token_prep_t *p);

/** Writes the token of the prepared ids with times [start, end) into out (BK_SLOT_TOKEN_CAP): byte for byte what
 * bk_slot_token_make writes for them. Returns its length, or 0 (and out "") when p is not ok or it does not
 * fit. */
size_t bk_slot_token_make_at(const bk_slot_token_prep_t *p, int64_t start, int64_t end, char *out);

/** Checks a token's signature and reads it back. Returns false for anything malformed, forged or signed with
 * another secret, and for any spelling but the one bk_slot_token_make writes (base64url without padding, unused
 * tail bits zero). The caller still checks the tenant and that the slot is free. */
bool bk_slot_token_read(const unsigned char *secret, size_t secret_len, const char *token, size_t len,
                        bk_slot_ref_t *ref);

#endif
