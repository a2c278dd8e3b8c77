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

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        int chars = i + 2 < n ? 4 : i + 1 < n ? 3 : 2;
        if (o + (size_t)chars >= cap) return 0;
        for (int k = 0; k < chars; k++) out[o++] = alphabet[(v >> (18 - 6 * k)) & 63];
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
} signer_t;

static pthread_key_t signer_key;
static pthread_once_t signer_once = PTHREAD_ONCE_INIT;

static void signer_free(void *p)
{
    signer_t *g = p;
    EVP_MD_CTX_free(g->inner), EVP_MD_CTX_free(g->outer), EVP_MD_CTX_free(g->work);
    EVP_MD_free(g->sha256);
    OPENSSL_cleanse(g->key, sizeof(g->key));
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
    return g;
}

static void sign(const unsigned char *secret, size_t secret_len, const char *payload, size_t len,
                 unsigned char sig[32])
{
    signer_t *g = signer_for(secret, secret_len);
    unsigned char inner[32];
    unsigned int n = 32;
    if (g != NULL && EVP_MD_CTX_copy_ex(g->work, g->inner) == 1 && EVP_DigestUpdate(g->work, payload, len) == 1 &&
        EVP_DigestFinal_ex(g->work, inner, &n) == 1 && EVP_MD_CTX_copy_ex(g->work, g->outer) == 1 &&
        EVP_DigestUpdate(g->work, inner, 32) == 1 && EVP_DigestFinal_ex(g->work, sig, &n) == 1)
        return;
    n = 32; /* OpenSSL failed above: the one-shot form gives the same answer, slower */
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)payload, len, sig, &n);
}

/* Appends s as a JSON string (escaped as json-c does: quote, backslash, slash, control characters). */
static bool put_json_string(char *buf, size_t cap, size_t *at, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = *at;
    if (o + 1 >= cap) return false;
    buf[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '/': esc = "\\/"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (o + 7 >= cap) return false;
        if (esc != NULL) {
            buf[o++] = esc[0], buf[o++] = esc[1];
        } else if (*p < 0x20) {
            memcpy(buf + o, "\\u00", 4);
            buf[o + 4] = hex[*p >> 4], buf[o + 5] = hex[*p & 15];
            o += 6;
        } else {
            buf[o++] = (char)*p;
        }
    }
    buf[o++] = '"';
    *at = o;
    return true;
}

size_t bk_slot_token_make(const unsigned char *secret, size_t secret_len, const bk_slot_ref_t *ref, char *out)
{
    /* The payload is the JSON array [1, tenant, staff, treatment, location, start, end], written directly. */
    char payload[BK_SLOT_TOKEN_CAP];
    size_t len = 0;
    const char *ids[] = {ref->tenant, ref->staff_id, ref->treatment_id, ref->location_id};
    memcpy(payload, "[1", 2);
    len = 2;
    for (int i = 0; i < 4; i++) {
        payload[len++] = ',';
        if (!put_json_string(payload, sizeof(payload) - 48, &len, ids[i])) return 0;
    }
    int tail = snprintf(payload + len, sizeof(payload) - len, ",%" PRId64 ",%" PRId64 "]", ref->start, ref->end);
    if (tail < 0 || (size_t)tail >= sizeof(payload) - len) return 0;
    len += (size_t)tail;
    unsigned char sig[32];
    sign(secret, secret_len, payload, len, sig);
    size_t n = b64url_encode((const unsigned char *)payload, len, out, BK_SLOT_TOKEN_CAP);
    if (n == 0 || n + 2 + 24 > BK_SLOT_TOKEN_CAP) return 0;
    out[n++] = '.';
    size_t m = b64url_encode(sig, SIG_BYTES, out + n, BK_SLOT_TOKEN_CAP - n);
    return m == 0 ? 0 : n + m;
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
    sign(secret, secret_len, (const char *)payload, plen, expected);
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
