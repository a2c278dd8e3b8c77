/* core/siphash.c: SipHash-2-4, 128-bit output (see siphash.h). */
#include "core/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void sip_round(bk_siphash_t *h)
{
    h->v0 += h->v1, h->v1 = ROTL(h->v1, 13), h->v1 ^= h->v0, h->v0 = ROTL(h->v0, 32);
    h->v2 += h->v3, h->v3 = ROTL(h->v3, 16), h->v3 ^= h->v2;
    h->v0 += h->v3, h->v3 = ROTL(h->v3, 21), h->v3 ^= h->v0;
    h->v2 += h->v1, h->v1 = ROTL(h->v1, 17), h->v1 ^= h->v2, h->v2 = ROTL(h->v2, 32);
}

static inline void absorb(bk_siphash_t *h, uint64_t m)
{
    h->v3 ^= m;
    sip_round(h), sip_round(h); /* the 2 of 2-4 */
    h->v0 ^= m;
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

void bk_siphash_init(bk_siphash_t *h, const unsigned char key[16])
{
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    h->v0 = k0 ^ 0x736f6d6570736575ull; /* "somepseudorandomlygeneratedbytes" */
    h->v1 = k1 ^ 0x646f72616e646f6dull ^ 0xee; /* 0xee: the 128-bit output variant */
    h->v2 = k0 ^ 0x6c7967656e657261ull;
    h->v3 = k1 ^ 0x7465646279746573ull;
    h->pending = 0;
    h->length = 0;
}

void bk_siphash_update(bk_siphash_t *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t used = (size_t)(h->length & 7);
    h->length += n;
    while (n > 0 && used != 0) { /* complete the word begun before */
        h->pending |= (uint64_t)*p++ << (8 * used);
        n--;
        if (++used == 8) absorb(h, h->pending), h->pending = 0, used = 0;
    }
    for (; n >= 8; p += 8, n -= 8) absorb(h, load_le64(p));
    for (size_t i = 0; i < n; i++) h->pending |= (uint64_t)p[i] << (8 * i);
}

void bk_siphash_final128(const bk_siphash_t *in, unsigned char out[16])
{
    bk_siphash_t h = *in;
    absorb(&h, h.pending | h.length << 56);
    h.v2 ^= 0xee;
    for (int i = 0; i < 4; i++) sip_round(&h); /* the 4 of 2-4 */
    uint64_t first = h.v0 ^ h.v1 ^ h.v2 ^ h.v3;
    h.v1 ^= 0xdd;
    for (int i = 0; i < 4; i++) sip_round(&h);
    uint64_t second = h.v0 ^ h.v1 ^ h.v2 ^ h.v3;
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(first >> (8 * i));
        out[8 + i] = (unsigned char)(second >> (8 * i));
    }
}
