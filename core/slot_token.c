/* core/slot_token.c: signed slot ids (see slot_token.h). */
#include "core/slot_token.h"

#include <inttypes.h>
#include <json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define SIG_BYTES 16
#define V2_KEY_LABEL "frontdesk slot id v2"
#define V2_MAX_ID 255 /* one length byte */

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url of n bytes, no padding, into out (cap bytes with the NUL). Returns the length, or 0 if it does not
 * fit. */
static size_t b64url_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t need = n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
    if (need >= cap) return 0;
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3, o += 4) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o] = alphabet[v >> 18], out[o + 1] = alphabet[(v >> 12) & 63];
        out[o + 2] = alphabet[(v >> 6) & 63], out[o + 3] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[v >> 18], out[o++] = alphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18], out[o++] = alphabet[(v >> 12) & 63], out[o++] = alphabet[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p != NULL ? (int)(p - alphabet) : -1;
}

static size_t b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap, bool *ok)
{
    size_t o = 0;
    *ok = n % 4 != 1;
    for (size_t i = 0; i < n && *ok; i += 4) {
        uint32_t v = 0;
        size_t chars = n - i < 4 ? n - i : 4;
        for (size_t k = 0; k < 4; k++) {
            int d = k < chars ? b64_value(in[i + k]) : 0;
            if (d < 0) *ok = false;
            v = (v << 6) | (uint32_t)(d < 0 ? 0 : d);
        }
        size_t bytes = chars - 1;
        /* Only the canonical spelling: the bits a short last group does not use must be zero, else one id
         * would have several accepted spellings. */
        if (o + bytes > cap || (v & ((1u << (24 - 8 * bytes)) - 1u)) != 0) *ok = false;
        for (size_t k = 0; k < bytes && *ok; k++) out[o++] = (unsigned char)(v >> (16 - 8 * k));
    }
    return o;
}

/* HMAC-SHA-256 with the key's inner and outer digests kept per thread: OpenSSL 3's one-shot HMAC() looks the
 * algorithm up and keys a fresh context on every call, which was a tenth of a warm /voice/bestSlot's time. */
typedef struct signer {
    unsigned char key[64]; /* the secret this signer was keyed with (hashed first when longer than a block) */
    size_t key_len;
    const unsigned char *key_at; /* where the caller keeps it: the config's secret does not move */
    EVP_MD *sha256;
    EVP_MD_CTX *inner, *outer, *work;
    unsigned char v2_key[16]; /* the version 2 MAC key derived from the secret */
    bool v2_ready;
} signer_t;

static pthread_key_t signer_key;
static pthread_once_t signer_once = PTHREAD_ONCE_INIT;

static void signer_free(void *p)
{
    signer_t *g = p;
    EVP_MD_CTX_free(g->inner), EVP_MD_CTX_free(g->outer), EVP_MD_CTX_free(g->work);
    EVP_MD_free(g->sha256);
    OPENSSL_cleanse(g->key, sizeof(g->key));
    OPENSSL_cleanse(g->v2_key, sizeof(g->v2_key));
    free(g);
}

static void signer_key_create(void)
{
    pthread_key_create(&signer_key, signer_free);
}

/* This thread's signer keyed with `secret`, or NULL when OpenSSL fails. */
static signer_t *signer_for(const unsigned char *secret, size_t secret_len)
{
    pthread_once(&signer_once, signer_key_create);
    signer_t *g = pthread_getspecific(signer_key);
    if (g != NULL && g->key_at == secret && g->key_len == secret_len &&
        (secret_len > sizeof(g->key) || CRYPTO_memcmp(g->key, secret, secret_len) == 0))
        return g;
    if (g == NULL) {
        if ((g = calloc(1, sizeof(*g))) == NULL) return NULL;
        g->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
        g->inner = EVP_MD_CTX_new(), g->outer = EVP_MD_CTX_new(), g->work = EVP_MD_CTX_new();
        if (g->sha256 == NULL || g->inner == NULL || g->outer == NULL || g->work == NULL ||
            pthread_setspecific(signer_key, g) != 0) {
            signer_free(g);
            return NULL;
        }
    }
    unsigned char block[64] = {0}, ipad[64], opad[64];
    unsigned int n = 0;
    if (secret_len > sizeof(block)) EVP_Digest(secret, secret_len, block, &n, g->sha256, NULL);
    else memcpy(block, secret, secret_len);
    for (int i = 0; i < 64; i++) ipad[i] = block[i] ^ 0x36, opad[i] = block[i] ^ 0x5c;
    if (EVP_DigestInit_ex(g->inner, g->sha256, NULL) != 1 || EVP_DigestUpdate(g->inner, ipad, 64) != 1 ||
        EVP_DigestInit_ex(g->outer, g->sha256, NULL) != 1 || EVP_DigestUpdate(g->outer, opad, 64) != 1) {
        g->key_at = NULL;
        return NULL;
    }
    memcpy(g->key, secret_len > sizeof(g->key) ? block : secret, secret_len > sizeof(g->key) ? 32 : secret_len);
    g->key_len = secret_len;
    g->key_at = secret;
    OPENSSL_cleanse(block, sizeof(block)), OPENSSL_cleanse(ipad, sizeof(ipad)), OPENSSL_cleanse(opad, sizeof(opad));
    g->v2_ready = false; /* derived below, from the new pads */
    return g;
}

static bool hmac_with(signer_t *g, const char *payload, size_t len, unsigned char sig[32])
{
    unsigned char inner[32];
    unsigned int n = 32;
    return EVP_MD_CTX_copy_ex(g->work, g->inner) == 1 && EVP_DigestUpdate(g->work, payload, len) == 1 &&
           EVP_DigestFinal_ex(g->work, inner, &n) == 1 && EVP_MD_CTX_copy_ex(g->work, g->outer) == 1 &&
           EVP_DigestUpdate(g->work, inner, 32) == 1 && EVP_DigestFinal_ex(g->work, sig, &n) == 1;
}

/* Starts the version 2 MAC (SipHash-2-4, 16 bytes) under the key derived from secret. False when OpenSSL fails. */
static bool mac_v2_init(const unsigned char *secret, size_t secret_len, bk_siphash_t *mac)
{
    signer_t *g = signer_for(secret, secret_len);
    if (g == NULL) return false;
    if (!g->v2_ready) {
        unsigned char derived[32];
        if (!hmac_with(g, V2_KEY_LABEL, sizeof(V2_KEY_LABEL) - 1, derived)) return false;
        memcpy(g->v2_key, derived, sizeof(g->v2_key));
        OPENSSL_cleanse(derived, sizeof(derived));
        g->v2_ready = true;
    }
    bk_siphash_init(mac, g->v2_key);
    return true;
}

static void sign(const unsigned char *secret, size_t secret_len, const char *payload, size_t len,
                 unsigned char sig[32])
{
    signer_t *g = signer_for(secret, secret_len);
    if (g != NULL && hmac_with(g, payload, len, sig)) return;
    unsigned int n = 32; /* OpenSSL failed above: the one-shot form gives the same answer, slower */
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)payload, len, sig, &n);
}

bool bk_slot_token_prepare(const unsigned char *secret, size_t secret_len, const bk_slot_ref_t *ref,
                           bk_slot_token_prep_t *p)
{
    unsigned char fixed[1 + 4 * (1 + V2_MAX_ID)];
    const char *ids[] = {ref->tenant, ref->staff_id, ref->treatment_id, ref->location_id};
    size_t len = 0;
    p->ok = false;
    fixed[len++] = 2;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(ids[i]);
        if (n == 0 || n > V2_MAX_ID) return false;
        fixed[len++] = (unsigned char)n;
        memcpy(fixed + len, ids[i], n);
        len += n;
    }
    if (!mac_v2_init(secret, secret_len, &p->mac)) return false;
    bk_siphash_update(&p->mac, fixed, len);
    size_t head_bytes = len / 3 * 3;
    p->head_len = b64url_encode(fixed, head_bytes, p->head, sizeof(p->head));
    p->rest_len = len - head_bytes;
    memcpy(p->rest, fixed + head_bytes, p->rest_len);
    /* The payload's text (the head, then the rest and 16 bytes of times: 22 + rest_len characters) leaves room for
     * '.', the tag's 22 characters and more, as it always had to. */
    p->ok = p->head_len == head_bytes / 3 * 4 && p->head_len + 22 + p->rest_len + 2 + 24 <= BK_SLOT_TOKEN_CAP;
    return p->ok;
}

size_t bk_slot_token_make_at(const bk_slot_token_prep_t *p, int64_t start, int64_t end, char *out)
{
    out[0] = '\0';
    if (!p->ok) return 0;
    unsigned char tail[2 + 16], tag[SIG_BYTES];
    memcpy(tail, p->rest, p->rest_len);
    const uint64_t times[] = {(uint64_t)start, (uint64_t)end};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 8; k++) tail[p->rest_len + (size_t)(8 * i + k)] = (unsigned char)(times[i] >> (8 * k));
    bk_siphash_t mac = p->mac;
    bk_siphash_update(&mac, tail + p->rest_len, 16);
    bk_siphash_final128(&mac, tag);
    memcpy(out, p->head, p->head_len);
    size_t n = p->head_len;
    n += b64url_encode(tail, p->rest_len + 16, out + n, BK_SLOT_TOKEN_CAP - n);
    out[n++] = '.';
    return n + b64url_encode(tag, SIG_BYTES, out + n, BK_SLOT_TOKEN_CAP - n);
}

size_t bk_slot_token_make(const unsigned char *secret, size_t secret_len, const bk_slot_ref_t *ref, char *out)
{
    bk_slot_token_prep_t p;
    bk_slot_token_prepare(secret, secret_len, ref, &p);
    return bk_slot_token_make_at(&p, ref->start, ref->end, out);
}

/* Reads a version 2 payload (its MAC already checked): every length in range, no NUL inside an id, nothing
 * left over. */
static bool read_v2(const unsigned char *p, size_t len, bk_slot_ref_t *ref)
{
    char *ids[] = {ref->tenant, ref->staff_id, ref->treatment_id, ref->location_id};
    const size_t caps[] = {sizeof(ref->tenant), sizeof(ref->staff_id), sizeof(ref->treatment_id),
                           sizeof(ref->location_id)};
    size_t at = 1;
    for (int i = 0; i < 4; i++) {
        if (at >= len) return false;
        size_t n = p[at++];
        if (n == 0 || n >= caps[i] || at + n > len || memchr(p + at, '\0', n) != NULL) return false;
        memcpy(ids[i], p + at, n);
        ids[i][n] = '\0';
        at += n;
    }
    if (len - at != 16) return false;
    uint64_t times[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        for (int k = 7; k >= 0; k--) times[i] = (times[i] << 8) | p[at + (size_t)(8 * i + k)];
    ref->start = (int64_t)times[0];
    ref->end = (int64_t)times[1];
    return ref->end > ref->start;
}

static bool copy_string(json_object *a, size_t i, char *out, size_t cap)
{
    json_object *v = json_object_array_get_idx(a, i);
    if (v == NULL || !json_object_is_type(v, json_type_string)) return false;
    int n = json_object_get_string_len(v);
    if (n <= 0 || (size_t)n >= cap) return false;
    memcpy(out, json_object_get_string(v), (size_t)n + 1);
    return true;
}

bool bk_slot_token_read(const unsigned char *secret, size_t secret_len, const char *token, size_t len,
                        bk_slot_ref_t *ref)
{
    if (token == NULL || len == 0 || len >= BK_SLOT_TOKEN_CAP) return false;
    const char *dot = memchr(token, '.', len);
    if (dot == NULL) return false;
    unsigned char payload[BK_SLOT_TOKEN_CAP], sig[SIG_BYTES + 4], expected[32];
    bool ok;
    size_t plen = b64url_decode(token, (size_t)(dot - token), payload, sizeof(payload) - 1, &ok);
    if (!ok || plen == 0) return false;
    size_t slen = b64url_decode(dot + 1, len - (size_t)(dot - token) - 1, sig, sizeof(sig), &ok);
    if (!ok || slen != SIG_BYTES) return false;
    if (payload[0] == 2) {
        bk_siphash_t mac;
        if (!mac_v2_init(secret, secret_len, &mac)) return false;
        bk_siphash_update(&mac, payload, plen);
        bk_siphash_final128(&mac, expected);
        return CRYPTO_memcmp(sig, expected, SIG_BYTES) == 0 && read_v2(payload, plen, ref);
    }
    sign(secret, secret_len, (const char *)payload, plen, expected); /* version 1, issued before */
    if (CRYPTO_memcmp(sig, expected, SIG_BYTES) != 0) return false;
    payload[plen] = '\0';
    json_object *a = json_tokener_parse((const char *)payload);
    bool good = a != NULL && json_object_is_type(a, json_type_array) && json_object_array_length(a) == 7 &&
                json_object_get_int(json_object_array_get_idx(a, 0)) == 1 &&
                copy_string(a, 1, ref->tenant, sizeof(ref->tenant)) &&
                copy_string(a, 2, ref->staff_id, sizeof(ref->staff_id)) &&
                copy_string(a, 3, ref->treatment_id, sizeof(ref->treatment_id)) &&
                copy_string(a, 4, ref->location_id, sizeof(ref->location_id)) &&
                json_object_is_type(json_object_array_get_idx(a, 5), json_type_int) &&
                json_object_is_type(json_object_array_get_idx(a, 6), json_type_int);
    if (good) {
        ref->start = json_object_get_int64(json_object_array_get_idx(a, 5));
        ref->end = json_object_get_int64(json_object_array_get_idx(a, 6));
        good = ref->end > ref->start;
    }
    json_object_put(a);
    return good;
}
