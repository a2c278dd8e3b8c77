/* Unit tests: slot ids round-trip, and forged, foreign or malformed ones are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <string.h>

#include "core/slot_token.h"

static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
static const unsigned char other[] = "fedcba9876543210fedcba9876543210";

static bk_slot_ref_t sample(void)
{
    bk_slot_ref_t ref;
    memset(&ref, 0, sizeof(ref));
    memcpy(ref.tenant, "demo", 5);
    memcpy(ref.staff_id, "514810972972521916", 19); /* a Cliniko id above 2^53 */
    memcpy(ref.treatment_id, "trt-initial", 12);
    memcpy(ref.location_id, "loc|with:odd\"chars", 19);
    ref.start = 1776780000000;
    ref.end = 1776783600000;
    return ref;
}

static void round_trips(void **state)
{
    bk_slot_ref_t ref = sample(), back;
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = bk_slot_token_make(secret, 32, &ref, token);
    assert_true(n > 20);
    assert_int_equal(strlen(token), n);
    for (size_t i = 0; i < n; i++) assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", token[i]));
    assert_true(bk_slot_token_read(secret, 32, token, n, &back));
    assert_string_equal(back.tenant, "demo");
    assert_string_equal(back.staff_id, "514810972972521916");
    assert_string_equal(back.location_id, "loc|with:odd\"chars");
    assert_true(back.start == ref.start && back.end == ref.end);
}

static void refuses_forgeries(void **state)
{
    bk_slot_ref_t ref = sample(), back;
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = bk_slot_token_make(secret, 32, &ref, token);
    assert_false(bk_slot_token_read(other, 32, token, n, &back)); /* another server's secret */
    for (size_t i = 0; i < n; i++) {
        char forged[BK_SLOT_TOKEN_CAP];
        memcpy(forged, token, n + 1);
        forged[i] = forged[i] == 'A' ? 'B' : 'A';
        if (forged[i] == token[i]) continue;
        assert_false(bk_slot_token_read(secret, 32, forged, n, &back));
    }
    /* A token for a later time, signed with another key, is refused. */
    ref.start += 3600000;
    ref.end += 3600000;
    char foreign[BK_SLOT_TOKEN_CAP];
    size_t m = bk_slot_token_make(other, 32, &ref, foreign);
    assert_false(bk_slot_token_read(secret, 32, foreign, m, &back));
}

static void refuses_malformed(void **state)
{
    bk_slot_ref_t back;
    static const char *const bad[] = {"", ".", "abc", "abc.def", "!!!.???", "a.b.c", "e30.AAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(bk_slot_token_read(secret, 32, bad[i], strlen(bad[i]), &back));
    assert_false(bk_slot_token_read(secret, 32, NULL, 0, &back));
}

/* A short last base64 group has bits no byte uses (4 after two characters, 2 after three); setting them spells
 * the same bytes differently, and only the canonical spelling (those bits zero) may be read. */
static void refuses_non_canonical_spellings(void **state)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    bk_slot_ref_t ref = sample(), back;
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = bk_slot_token_make(secret, 32, &ref, token);
    size_t dot = (size_t)(strchr(token, '.') - token);
    const size_t part_end[] = {dot, n}, part_len[] = {dot, n - dot - 1};
    int tried = 0;
    for (int p = 0; p < 2; p++) {
        size_t tail = part_len[p] % 4, last = part_end[p] - 1;
        if (tail < 2) continue;
        int value = (int)(strchr(alphabet, token[last]) - alphabet), unused = tail == 2 ? 15 : 3;
        assert_int_equal(value & unused, 0); /* what we issue is canonical */
        for (int bits = 1; bits <= unused; bits++) {
            char spelled[BK_SLOT_TOKEN_CAP];
            memcpy(spelled, token, n + 1);
            spelled[last] = alphabet[value | bits];
            assert_false(bk_slot_token_read(secret, 32, spelled, n, &back));
            tried++;
        }
    }
    assert_true(tried >= 15); /* the 16-byte signature always ends in a two-character group */
    assert_true(bk_slot_token_read(secret, 32, token, n, &back));
}

static size_t b64url_decode(const char *in, size_t n, unsigned char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t bits = 0;
    int have = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        bits = (bits << 6) | (uint32_t)(strchr(alphabet, in[i]) - alphabet);
        if ((have += 6) >= 8) out[o++] = (unsigned char)(bits >> (have -= 8));
    }
    return o;
}

/* The version 2 MAC from its definition: OpenSSL's 16-byte SipHash under the first 16 bytes of
 * HMAC-SHA256(key, "frontdesk slot id v2"). */
static void reference_mac(const unsigned char *key, size_t key_len, const unsigned char *payload, size_t len,
                          unsigned char tag[16])
{
    unsigned char derived[32];
    unsigned int dlen = 32;
    size_t size = 16, tlen = 0;
    HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)"frontdesk slot id v2", 20, derived, &dlen);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t("size", &size), OSSL_PARAM_construct_end()};
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    assert_int_equal(EVP_MAC_init(ctx, derived, 16, params), 1);
    assert_int_equal(EVP_MAC_update(ctx, payload, len), 1);
    assert_int_equal(EVP_MAC_final(ctx, tag, &tlen, 16), 1);
    assert_int_equal(tlen, 16);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

/* The signature is the 16-byte SipHash-2-4 of the payload under the first 16 bytes of
 * HMAC-SHA256(secret, "frontdesk slot id v2"), whatever key length, and stays right when one thread signs with
 * several keys in turn (the signer keeps the last key's state). */
static void signature_is_siphash_under_derived_key(void **state)
{
    unsigned char long_key[100];
    for (size_t i = 0; i < sizeof(long_key); i++) long_key[i] = (unsigned char)(i * 7 + 3);
    const struct {
        const unsigned char *key;
        size_t len;
    } keys[] = {{secret, 32}, {other, 32}, {long_key, sizeof(long_key)}, {secret, 32}, {long_key, 64}};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        bk_slot_ref_t ref = sample();
        char token[BK_SLOT_TOKEN_CAP];
        size_t n = bk_slot_token_make(keys[k].key, keys[k].len, &ref, token);
        const char *dot = strchr(token, '.');
        assert_non_null(dot);
        unsigned char payload[BK_SLOT_TOKEN_CAP], sig[32], want[16];
        size_t plen = b64url_decode(token, (size_t)(dot - token), payload);
        size_t slen = b64url_decode(dot + 1, n - (size_t)(dot + 1 - token), sig);
        assert_int_equal(slen, 16);
        reference_mac(keys[k].key, keys[k].len, payload, plen, want);
        assert_memory_equal(sig, want, 16);
    }
}

/* The payload is compact binary: the byte 2, each id as a length byte and its bytes, start and end as 8-byte
 * little-endian ms, whatever characters the ids hold. */
static void payload_is_compact_binary(void **state)
{
    bk_slot_ref_t ref = sample();
    memcpy(ref.treatment_id, "a/b\\c\t\x01\xc3\xa9", 10);
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = bk_slot_token_make(secret, 32, &ref, token);
    assert_true(n > 0);
    unsigned char payload[BK_SLOT_TOKEN_CAP], want[BK_SLOT_TOKEN_CAP];
    size_t plen = b64url_decode(token, (size_t)(strchr(token, '.') - token), payload), w = 0;
    want[w++] = 2;
    const char *ids[] = {ref.tenant, ref.staff_id, ref.treatment_id, ref.location_id};
    for (int i = 0; i < 4; i++) {
        want[w++] = (unsigned char)strlen(ids[i]);
        memcpy(want + w, ids[i], strlen(ids[i]));
        w += strlen(ids[i]);
    }
    for (int k = 0; k < 8; k++) want[w++] = (unsigned char)((uint64_t)ref.start >> (8 * k));
    for (int k = 0; k < 8; k++) want[w++] = (unsigned char)((uint64_t)ref.end >> (8 * k));
    assert_int_equal(plen, w);
    assert_memory_equal(payload, want, w);
    bk_slot_ref_t back;
    assert_true(bk_slot_token_read(secret, 32, token, n, &back));
    assert_string_equal(back.treatment_id, ref.treatment_id);
}

static size_t b64url_encode(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    uint32_t bits = 0;
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        bits = (bits << 8) | in[i];
        for (have += 8; have >= 6; have -= 6) out[o++] = alphabet[(bits >> (have - 6)) & 63];
    }
    if (have > 0) out[o++] = alphabet[(bits << (6 - have)) & 63];
    out[o] = '\0';
    return o;
}

/* A version 1 id (the JSON array json-c writes, HMAC-SHA256 signed), issued before version 2, still reads back;
 * one whose signature is off by a bit does not. */
static void reads_version_1_ids(void **state)
{
    bk_slot_ref_t ref = sample();
    json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_int(1));
    json_object_array_add(a, json_object_new_string(ref.tenant));
    json_object_array_add(a, json_object_new_string(ref.staff_id));
    json_object_array_add(a, json_object_new_string(ref.treatment_id));
    json_object_array_add(a, json_object_new_string(ref.location_id));
    json_object_array_add(a, json_object_new_int64(ref.start));
    json_object_array_add(a, json_object_new_int64(ref.end));
    size_t plen;
    const char *payload = json_object_to_json_string_length(a, JSON_C_TO_STRING_PLAIN, &plen);
    unsigned char sig[32];
    unsigned int slen = 32;
    HMAC(EVP_sha256(), secret, 32, (const unsigned char *)payload, plen, sig, &slen);
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = b64url_encode((const unsigned char *)payload, plen, token);
    token[n++] = '.';
    n += b64url_encode(sig, 16, token + n);
    json_object_put(a);
    bk_slot_ref_t back;
    assert_true(bk_slot_token_read(secret, 32, token, n, &back));
    assert_string_equal(back.staff_id, ref.staff_id);
    assert_string_equal(back.location_id, ref.location_id);
    assert_true(back.start == ref.start && back.end == ref.end);
    assert_false(bk_slot_token_read(other, 32, token, n, &back));
}

/* The token of ref computed here from the definition (payload, OpenSSL's SipHash under the derived key,
 * base64url), independently of the code under test. */
static void reference_token(const unsigned char *key, size_t key_len, const bk_slot_ref_t *ref, char *out)
{
    unsigned char payload[BK_SLOT_TOKEN_CAP], tag[16];
    size_t w = 0;
    payload[w++] = 2;
    const char *ids[] = {ref->tenant, ref->staff_id, ref->treatment_id, ref->location_id};
    for (int i = 0; i < 4; i++) {
        payload[w++] = (unsigned char)strlen(ids[i]);
        memcpy(payload + w, ids[i], strlen(ids[i]));
        w += strlen(ids[i]);
    }
    for (int k = 0; k < 8; k++) payload[w++] = (unsigned char)((uint64_t)ref->start >> (8 * k));
    for (int k = 0; k < 8; k++) payload[w++] = (unsigned char)((uint64_t)ref->end >> (8 * k));
    reference_mac(key, key_len, payload, w, tag);
    size_t n = b64url_encode(payload, w, out);
    out[n++] = '.';
    b64url_encode(tag, 16, out + n);
}

/* Tokens from one preparation, for many times, are the reference tokens: with ids of every length modulo 3
 * (the base64 groups the prepared text ends on) and modulo 8 (the SipHash words the prepared state ends in). */
static void prepared_tokens_are_the_reference_tokens(void **state)
{
    static const int64_t times[][2] = {{1776780000000, 1776783600000}, {0, 1}, {1, 2},
                                       {-86400000, 0}, {4102444800000, 4102448400000}, {1776780000123, 1776783600999}};
    for (size_t len = 1; len <= 26; len++) {
        bk_slot_ref_t ref = sample();
        memset(ref.staff_id, 0, sizeof(ref.staff_id));
        for (size_t i = 0; i < len; i++) ref.staff_id[i] = (char)('a' + (i * 5) % 26);
        bk_slot_token_prep_t prep;
        assert_true(bk_slot_token_prepare(secret, 32, &ref, &prep));
        for (size_t k = 0; k < sizeof(times) / sizeof(times[0]); k++) {
            ref.start = times[k][0], ref.end = times[k][1];
            char got[BK_SLOT_TOKEN_CAP], one_off[BK_SLOT_TOKEN_CAP], want[BK_SLOT_TOKEN_CAP];
            size_t n = bk_slot_token_make_at(&prep, ref.start, ref.end, got);
            reference_token(secret, 32, &ref, want);
            assert_string_equal(got, want);
            assert_int_equal(n, strlen(want));
            assert_int_equal(bk_slot_token_make(secret, 32, &ref, one_off), n);
            assert_string_equal(one_off, want);
            bk_slot_ref_t back;
            assert_true(bk_slot_token_read(secret, 32, got, n, &back));
            assert_true(back.start == ref.start && back.end == ref.end);
            assert_string_equal(back.staff_id, ref.staff_id);
        }
    }
    /* An id that cannot be signed (empty) gives no token, and an empty text. */
    bk_slot_ref_t ref = sample();
    ref.location_id[0] = '\0';
    bk_slot_token_prep_t prep;
    char out[BK_SLOT_TOKEN_CAP] = "junk";
    assert_false(bk_slot_token_prepare(secret, 32, &ref, &prep));
    assert_int_equal(bk_slot_token_make_at(&prep, 0, 1, out), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(refuses_forgeries),
        cmocka_unit_test(refuses_malformed),
        cmocka_unit_test(refuses_non_canonical_spellings),
        cmocka_unit_test(signature_is_siphash_under_derived_key),
        cmocka_unit_test(payload_is_compact_binary),
        cmocka_unit_test(reads_version_1_ids),
        cmocka_unit_test(prepared_tokens_are_the_reference_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
