/* booking/slot_token.c: signed slot ids (see slot_token.h). */
#include "booking/slot_token.h"

#include <inttypes.h>
#include <json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
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
        if (o + bytes > cap) *ok = false;
        for (size_t k = 0; k < bytes && *ok; k++) out[o++] = (unsigned char)(v >> (16 - 8 * k));
    }
    return o;
}

static void sign(const unsigned char *secret, size_t secret_len, const char *payload, size_t len,
                 unsigned char sig[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)payload, len, sig, &n);
}

size_t bk_slot_token_make(const unsigned char *secret, size_t secret_len, const bk_slot_ref_t *ref, char *out)
{
    json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_int(1));
    json_object_array_add(a, json_object_new_string(ref->tenant));
    json_object_array_add(a, json_object_new_string(ref->staff_id));
    json_object_array_add(a, json_object_new_string(ref->treatment_id));
    json_object_array_add(a, json_object_new_string(ref->location_id));
    json_object_array_add(a, json_object_new_int64(ref->start));
    json_object_array_add(a, json_object_new_int64(ref->end));
    size_t len;
    const char *payload = json_object_to_json_string_length(a, JSON_C_TO_STRING_PLAIN, &len);
    unsigned char sig[32];
    sign(secret, secret_len, payload, len, sig);
    size_t n = b64url_encode((const unsigned char *)payload, len, out, BK_SLOT_TOKEN_CAP);
    json_object_put(a);
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
