/* core/name_match.h: matching what a caller says to a staff member, treatment or location name.
 *
 * Both sides are normalized the same way: ICU transliteration to ASCII ("Any-Latin; Latin-ASCII": Zoë -> zoe,
 * José Ramírez -> jose ramirez, Łukasz -> lukasz), lower case, apostrophes removed (O'Neil -> oneil), other
 * punctuation splits words, then filler words are dropped: everywhere the/a/an/with/please/for/my/to/at/of/
 * and/in/on/appointment/appt/session/book/booking/visit; for staff the titles dr/doctor/mr/mrs/ms/miss/mx/prof/
 * professor; for treatments min/mins/minute/minutes (and fifteen..ninety become digits); for locations
 * clinic/office/location/branch/centre/center. (A name made only of fillers keeps its words.)
 * Every word the caller said must match a different word of the name, in any order, at the best level:
 *   exact word; prefix (a word the name begins with, "physio" -> "physiotherapy"); typo (Damerau distance <= 1,
 *   <= 2 for words of 8+ letters; words of 3+ letters; from 4 letters also a typo in a prefix). Numbers only
 *   match exactly. Words of the name may be left over (first name alone, "massage 90").
 * Ranks, best first: EXACT (same words, same order) > SAME_WORDS (any order; also the same letters with the
 * spaces moved, "followup" = "follow-up") > SUBSET (all said words exact) > PREFIX > TYPO; within a rank fewer
 * prefixes/typo edits win. The single best is MATCHED; two or more equally good are AMBIGUOUS, listed.
 *
 * Thread safety: a bk_name_matcher_t holds an ICU transliterator, which is costly to open and not thread-safe:
 * create one per thread (or per worker) and reuse it. Pure ASCII input never touches ICU. No allocation per
 * call; names longer than BK_NAME_MAX_BYTES bytes or BK_NAME_MAX_WORDS words are cut there. */
#ifndef FD_BOOKING_NAME_MATCH_H
#define FD_BOOKING_NAME_MATCH_H

#include <stddef.h>

#define BK_NAME_MAX_BYTES      256
#define BK_NAME_MAX_WORDS      8
#define BK_NAME_MAX_CANDIDATES 8

typedef enum bk_name_kind {
    BK_NAME_STAFF = 0,
    BK_NAME_TREATMENT,
    BK_NAME_LOCATION,
} bk_name_kind_t;

typedef enum bk_name_status {
    BK_NAME_NONE = 0,  /* nothing matches (or the query is empty) */
    BK_NAME_MATCHED,   /* exactly one best: index */
    BK_NAME_AMBIGUOUS, /* several equally good: candidates[] */
} bk_name_status_t;

typedef enum bk_name_rank {
    BK_RANK_EXACT = 0,
    BK_RANK_SAME_WORDS,
    BK_RANK_SUBSET,
    BK_RANK_PREFIX,
    BK_RANK_TYPO,
    BK_RANK_NONE,
} bk_name_rank_t;

typedef struct bk_name_result {
    bk_name_status_t status;
    bk_name_rank_t rank;                       /* of the best match */
    size_t index;                              /* MATCHED: index into names[] */
    size_t candidates[BK_NAME_MAX_CANDIDATES]; /* AMBIGUOUS: the tied names, in input order */
    size_t n_candidates;                       /* how many listed (at most BK_NAME_MAX_CANDIDATES) */
    size_t n_tied;                             /* how many tied in all */
} bk_name_result_t;

/** A name matcher for one thread. */
typedef struct bk_name_matcher bk_name_matcher_t;

/** Creates a matcher (opens the ICU transliterator; if ICU cannot, it falls back to NFKD with accents
 * stripped). Returns NULL only when out of memory. Free with bk_name_matcher_free. */
bk_name_matcher_t *bk_name_matcher_new(void);

/** Frees a matcher (NULL is fine). */
void bk_name_matcher_free(bk_name_matcher_t *m);

/** Matches `query` (UTF-8, NUL-terminated) against names[0..n) of the given kind and fills `out`.
 * Returns 0, or -1 for a NULL argument. */
int bk_name_match(bk_name_matcher_t *m, const char *query, const char *const *names, size_t n, bk_name_kind_t kind,
                  bk_name_result_t *out);

/** Writes the normalized words of `in` (UTF-8, len bytes), fillers of `kind` dropped, joined by single spaces
 * and NUL-terminated, into out[0..cap). Returns the length written (cut to fit). */
size_t bk_name_normalize(bk_name_matcher_t *m, const char *in, size_t len, bk_name_kind_t kind, char *out, size_t cap);

#endif
