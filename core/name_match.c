/* core/name_match.c: name normalization (ICU transliteration), word matching with typos, ranking. */
#include "core/name_match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

#define FOLD_CAP    (BK_NAME_MAX_BYTES * 2) /* folded ASCII; transliteration may lengthen a name */
#define RAW_WORDS   24                      /* words read before fillers are dropped */
#define WORD_CAP    32                      /* letters of a word compared for typos */
#define UTF16_CAP   (BK_NAME_MAX_BYTES + 1)
#define TRANS_CAP   (BK_NAME_MAX_BYTES * 6)
#define COST_PREFIX 1
#define COST_TYPO   100
#define NO_MATCH    INT32_MAX

struct bk_name_matcher {
    UTransliterator *trans;   /* "Any-Latin; Latin-ASCII", or NULL when ICU could not open it */
    const UNormalizer2 *nfkd; /* fallback: decompose and drop marks (thread-safe singleton) */
};

typedef struct word {
    const char *p;
    unsigned len;
} word_t;

typedef struct words {
    char buf[FOLD_CAP];
    word_t w[BK_NAME_MAX_WORDS];
    size_t n;
    char squash[FOLD_CAP]; /* the kept words without spaces */
    size_t squash_len;
} words_t;

typedef struct sink {
    char *out;
    size_t cap, len;
} sink_t;

static const char *const fillers_all[] = {
    "the", "a",  "an",          "with",         "please", "for",     "my",       "to",   "at",      "of",    "and",
    "in",  "on", "appointment", "appointments", "appt",   "session", "sessions", "book", "booking", "visit", NULL};
static const char *const fillers_staff[] = {"dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", NULL};
static const char *const fillers_treatment[] = {"min", "mins", "minute", "minutes", NULL};
static const char *const fillers_location[] = {"clinic", "office", "location", "branch", "centre", "center", NULL};
static const char *const number_words[][2] = {
    {"fifteen", "15"}, {"twenty", "20"}, {"thirty", "30"},  {"forty", "40"},  {"fortyfive", "45"},
    {"fifty", "50"},   {"sixty", "60"},  {"seventy", "70"}, {"ninety", "90"}, {NULL, NULL}};

/* ---- folding to ASCII words ---------------------------------------------------------------------------- */

static void put(sink_t *s, uint32_t c)
{
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (s->len + 1 < s->cap) s->out[s->len++] = (char)c;
        return;
    }
    if (c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC) return; /* O'Neil -> oneil */
    if (s->len > 0 && s->out[s->len - 1] != ' ' && s->len + 1 < s->cap) s->out[s->len++] = ' ';
}

static void put_utf16(sink_t *s, const UChar *u, int32_t n, int strip_marks)
{
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        if (strip_marks) {
            if (u_getCombiningClass(c) != 0 || u_charType(c) == U_NON_SPACING_MARK) continue;
            c = u_tolower(c);
        }
        put(s, c < 0 ? 0xFFFD : (uint32_t)c);
    }
}

/* Non-ASCII text: transliterate to Latin ASCII, or decompose and strip marks when there is no transliterator
 * or it ran out of room. Anything still not ASCII separates words. */
static void fold_unicode(const bk_name_matcher_t *m, const char *in, size_t len, sink_t *s)
{
    UChar u[UTF16_CAP];
    UChar t[TRANS_CAP];
    int32_t ulen = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8WithSub(u, UTF16_CAP, &ulen, in, (int32_t)len, 0xFFFD, NULL, &st);
    if (U_FAILURE(st) || ulen > UTF16_CAP) return;
    if (m->trans != NULL) {
        memcpy(t, u, (size_t)ulen * sizeof(UChar));
        int32_t tlen = ulen, limit = ulen;
        st = U_ZERO_ERROR;
        utrans_transUChars(m->trans, t, &tlen, TRANS_CAP, 0, &limit, &st);
        if (U_SUCCESS(st) && tlen <= TRANS_CAP) {
            put_utf16(s, t, tlen, 0);
            return;
        }
    }
    if (m->nfkd != NULL) {
        st = U_ZERO_ERROR;
        int32_t dlen = unorm2_normalize(m->nfkd, u, ulen, t, TRANS_CAP, &st);
        if (U_SUCCESS(st) && dlen <= TRANS_CAP) {
            put_utf16(s, t, dlen, 1);
            return;
        }
    }
    put_utf16(s, u, ulen, 1);
}

static size_t fold(const bk_name_matcher_t *m, const char *in, size_t len, char *out, size_t cap)
{
    sink_t s = {out, cap, 0};
    if (len > BK_NAME_MAX_BYTES) len = BK_NAME_MAX_BYTES;
    int ascii = 1;
    for (size_t i = 0; i < len && ascii; i++) ascii = (unsigned char)in[i] < 0x80;
    if (ascii) {
        for (size_t i = 0; i < len; i++) put(&s, (unsigned char)in[i]);
    } else {
        fold_unicode(m, in, len, &s);
    }
    while (s.len > 0 && s.out[s.len - 1] == ' ') s.len--;
    s.out[s.len] = '\0';
    return s.len;
}

/* ---- words ---------------------------------------------------------------------------------------------- */

static int word_is(const word_t *w, const char *lit)
{
    size_t n = strlen(lit);
    return n == w->len && memcmp(w->p, lit, n) == 0;
}

static int in_list(const word_t *w, const char *const *list)
{
    for (; *list != NULL; list++)
        if (word_is(w, *list)) return 1;
    return 0;
}

static int is_filler(const word_t *w, bk_name_kind_t kind)
{
    if (in_list(w, fillers_all)) return 1;
    switch (kind) {
    case BK_NAME_STAFF:
        return in_list(w, fillers_staff);
    case BK_NAME_TREATMENT:
        return in_list(w, fillers_treatment);
    case BK_NAME_LOCATION:
        return in_list(w, fillers_location);
    }
    return 0;
}

static void to_words(const bk_name_matcher_t *m, const char *in, size_t len, bk_name_kind_t kind, words_t *ws)
{
    word_t raw[RAW_WORDS];
    size_t n_raw = 0;
    size_t flen = fold(m, in, len, ws->buf, sizeof(ws->buf));
    for (size_t i = 0; i < flen && n_raw < RAW_WORDS;) {
        size_t j = i;
        while (j < flen && ws->buf[j] != ' ') j++;
        raw[n_raw++] = (word_t){ws->buf + i, (unsigned)(j - i)};
        i = j + 1;
    }
    ws->n = 0;
    for (size_t i = 0; i < n_raw && ws->n < BK_NAME_MAX_WORDS; i++) {
        if (is_filler(&raw[i], kind)) continue;
        word_t w = raw[i];
        if (kind == BK_NAME_TREATMENT)
            for (size_t k = 0; number_words[k][0] != NULL; k++)
                if (word_is(&w, number_words[k][0]))
                    w = (word_t){number_words[k][1], (unsigned)strlen(number_words[k][1])};
        ws->w[ws->n++] = w;
    }
    if (ws->n == 0) /* only fillers: keep what was said */
        for (size_t i = 0; i < n_raw && ws->n < BK_NAME_MAX_WORDS; i++) ws->w[ws->n++] = raw[i];
    ws->squash_len = 0;
    for (size_t i = 0; i < ws->n; i++) {
        if (ws->squash_len + ws->w[i].len >= sizeof(ws->squash)) break;
        memcpy(ws->squash + ws->squash_len, ws->w[i].p, ws->w[i].len);
        ws->squash_len += ws->w[i].len;
    }
    ws->squash[ws->squash_len] = '\0';
}

/* ---- comparing words -------------------------------------------------------------------------------------- */

/* Optimal-string-alignment distance of a[0..n) and b[0..m) (both cut to WORD_CAP), or limit + 1 once it
 * exceeds limit. */
static int osa_distance(const char *a, size_t n, const char *b, size_t m, int limit)
{
    if (n > WORD_CAP) n = WORD_CAP;
    if (m > WORD_CAP) m = WORD_CAP;
    if ((n > m ? n - m : m - n) > (size_t)limit) return limit + 1;
    int rows[3][WORD_CAP + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (int)i;
        int row_min = cur[0];
        for (size_t j = 1; j <= m; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            int v = sub < del ? sub : del;
            if (ins < v) v = ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < row_min) row_min = v;
        }
        if (row_min > limit) return limit + 1;
        int *tmp = prev2;
        prev2 = prev;
        prev = cur;
        cur = tmp;
    }
    return prev[m] > limit ? limit + 1 : prev[m];
}

static int all_digits(const word_t *w)
{
    for (unsigned i = 0; i < w->len; i++)
        if (w->p[i] < '0' || w->p[i] > '9') return 0;
    return 1;
}

/* Cost of matching said word q to name word c: 0 exact, 1 prefix, 100 per typo edit (+1 in a prefix), or
 * NO_MATCH. */
static int32_t word_cost(const word_t *q, const word_t *c)
{
    if (q->len == c->len && memcmp(q->p, c->p, q->len) == 0) return 0;
    if (all_digits(q) || all_digits(c)) return NO_MATCH;
    if (q->len < c->len && memcmp(q->p, c->p, q->len) == 0) return COST_PREFIX;
    if (q->len < 3) return NO_MATCH;
    int limit = q->len >= 8 ? 2 : 1;
    int d = osa_distance(q->p, q->len, c->p, c->len, limit);
    if (d <= limit) return COST_TYPO * d;
    if (q->len >= 4 && c->len > q->len) {
        d = osa_distance(q->p, q->len, c->p, q->len, limit);
        if (d <= limit) return COST_TYPO * d + COST_PREFIX;
    }
    return NO_MATCH;
}

/* The cheapest way to give every said word its own name word (assignment by DP over used-word masks). */
static int32_t assign(const words_t *q, const words_t *c)
{
    int32_t cost[BK_NAME_MAX_WORDS][BK_NAME_MAX_WORDS];
    int32_t dp[1 << BK_NAME_MAX_WORDS], next[1 << BK_NAME_MAX_WORDS];
    if (q->n == 0 || q->n > c->n) return NO_MATCH;
    for (size_t i = 0; i < q->n; i++) {
        int any = 0;
        for (size_t j = 0; j < c->n; j++) {
            cost[i][j] = word_cost(&q->w[i], &c->w[j]);
            any |= cost[i][j] != NO_MATCH;
        }
        if (!any) return NO_MATCH;
    }
    size_t masks = (size_t)1 << c->n;
    for (size_t k = 0; k < masks; k++) dp[k] = NO_MATCH;
    dp[0] = 0;
    for (size_t i = 0; i < q->n; i++) {
        for (size_t k = 0; k < masks; k++) next[k] = NO_MATCH;
        for (size_t k = 0; k < masks; k++) {
            if (dp[k] == NO_MATCH) continue;
            for (size_t j = 0; j < c->n; j++) {
                if ((k >> j) & 1 || cost[i][j] == NO_MATCH) continue;
                int32_t v = dp[k] + cost[i][j];
                if (v < next[k | ((size_t)1 << j)]) next[k | ((size_t)1 << j)] = v;
            }
        }
        memcpy(dp, next, masks * sizeof(dp[0]));
    }
    int32_t best = NO_MATCH;
    for (size_t k = 0; k < masks; k++)
        if (dp[k] < best) best = dp[k];
    return best;
}

/* Rank and cost of one name; rank BK_RANK_NONE when it does not match. */
static bk_name_rank_t rank_of(const words_t *q, const words_t *c, int32_t *cost)
{
    *cost = 0;
    if (q->n == c->n) {
        size_t i = 0;
        while (i < q->n && q->w[i].len == c->w[i].len && memcmp(q->w[i].p, c->w[i].p, q->w[i].len) == 0) i++;
        if (i == q->n && q->n > 0) return BK_RANK_EXACT;
    }
    if (q->squash_len > 0 && q->squash_len == c->squash_len && memcmp(q->squash, c->squash, q->squash_len) == 0)
        return BK_RANK_SAME_WORDS;
    int32_t v = assign(q, c);
    if (v == 0) return q->n == c->n ? BK_RANK_SAME_WORDS : BK_RANK_SUBSET;
    if (v < COST_TYPO) {
        *cost = v;
        return BK_RANK_PREFIX;
    }
    if (q->squash_len >= 3 && q->squash_len < c->squash_len && memcmp(q->squash, c->squash, q->squash_len) == 0) {
        *cost = COST_PREFIX;
        return BK_RANK_PREFIX;
    }
    if (v != NO_MATCH) {
        *cost = v;
        return BK_RANK_TYPO;
    }
    return BK_RANK_NONE;
}

/* ---- public ------------------------------------------------------------------------------------------------ */

bk_name_matcher_t *bk_name_matcher_new(void)
{
    bk_name_matcher_t *m = calloc(1, sizeof(*m));
    if (m == NULL) return NULL;
    static const UChar id[] = {'A', 'n', 'y', '-', 'L', 'a', 't', 'i', 'n', ';', ' ', 'L',
                               'a', 't', 'i', 'n', '-', 'A', 'S', 'C', 'I', 'I', 0};
    UErrorCode st = U_ZERO_ERROR;
    m->trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    if (U_FAILURE(st)) m->trans = NULL;
    st = U_ZERO_ERROR;
    m->nfkd = unorm2_getNFKDInstance(&st);
    if (U_FAILURE(st)) m->nfkd = NULL;
    return m;
}

void bk_name_matcher_free(bk_name_matcher_t *m)
{
    if (m == NULL) return;
    if (m->trans != NULL) utrans_close(m->trans);
    free(m);
}

size_t bk_name_normalize(bk_name_matcher_t *m, const char *in, size_t len, bk_name_kind_t kind, char *out, size_t cap)
{
    if (out == NULL || cap == 0) return 0;
    out[0] = '\0';
    if (m == NULL || in == NULL) return 0;
    words_t ws;
    to_words(m, in, len, kind, &ws);
    size_t n = 0;
    for (size_t i = 0; i < ws.n; i++) {
        size_t need = ws.w[i].len + (i > 0);
        if (n + need >= cap) break;
        if (i > 0) out[n++] = ' ';
        memcpy(out + n, ws.w[i].p, ws.w[i].len);
        n += ws.w[i].len;
    }
    out[n] = '\0';
    return n;
}

int bk_name_match(bk_name_matcher_t *m, const char *query, const char *const *names, size_t n, bk_name_kind_t kind,
                  bk_name_result_t *out)
{
    if (out == NULL) return -1;
    memset(out, 0, sizeof(*out));
    out->status = BK_NAME_NONE;
    out->rank = BK_RANK_NONE;
    if (m == NULL || query == NULL || (n > 0 && names == NULL)) return -1;
    words_t q, c;
    to_words(m, query, strlen(query), kind, &q);
    if (q.n == 0) return 0;
    int32_t best_cost = NO_MATCH;
    for (size_t i = 0; i < n; i++) {
        if (names[i] == NULL) continue;
        to_words(m, names[i], strlen(names[i]), kind, &c);
        int32_t cost;
        bk_name_rank_t r = rank_of(&q, &c, &cost);
        if (r == BK_RANK_NONE) continue;
        if (r < out->rank || (r == out->rank && cost < best_cost)) {
            out->rank = r;
            best_cost = cost;
            out->n_tied = 0;
            out->n_candidates = 0;
        } else if (r != out->rank || cost != best_cost) {
            continue;
        }
        if (out->n_candidates < BK_NAME_MAX_CANDIDATES) out->candidates[out->n_candidates++] = i;
        out->n_tied++;
    }
    if (out->n_tied == 1) {
        out->status = BK_NAME_MATCHED;
        out->index = out->candidates[0];
    } else if (out->n_tied > 1) {
        out->status = BK_NAME_AMBIGUOUS;
    }
    return 0;
}
