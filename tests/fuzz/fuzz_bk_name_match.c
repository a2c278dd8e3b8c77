/* tests/fuzz/fuzz_bk_name_match.c: libFuzzer target for the name matcher (normalization, typos, ranking).
 * Input: first byte picks the kind; then lines: the first is what the caller said, the rest are the names. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/name_match.h"

#define MAX_NAMES 32
#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bk_name_matcher_t *m; /* one matcher for the process, as a worker thread would keep it */
    if (m == NULL) m = bk_name_matcher_new();
    if (m == NULL || size == 0 || size > MAX_INPUT) return 0;
    bk_name_kind_t kind = (bk_name_kind_t)(data[0] % 3);
    char *text = malloc(size);
    if (text == NULL) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    const char *lines[MAX_NAMES + 1];
    size_t n = 0;
    char *p = text;
    while (n < MAX_NAMES + 1) {
        lines[n++] = p;
        char *nl = memchr(p, '\n', (size_t)(text + size - 1 - p));
        if (nl == NULL) break;
        *nl = '\0';
        p = nl + 1;
    }
    bk_name_result_t r;
    if (bk_name_match(m, lines[0], lines + 1, n - 1, kind, &r) != 0) abort();
    if (r.status == BK_NAME_MATCHED && (r.index >= n - 1 || r.n_tied != 1)) abort();
    if (r.status == BK_NAME_AMBIGUOUS && (r.n_tied < 2 || r.n_candidates < 2)) abort();
    for (size_t i = 0; i < r.n_candidates; i++)
        if (r.candidates[i] >= n - 1) abort();
    /* normalization is idempotent: normalizing its own output changes nothing */
    char a[BK_NAME_MAX_BYTES * 2], b[BK_NAME_MAX_BYTES * 2];
    size_t la = bk_name_normalize(m, lines[0], strlen(lines[0]), kind, a, sizeof(a));
    bk_name_normalize(m, a, la, kind, b, sizeof(b));
    if (la > 0 && strcmp(a, b) != 0 && strlen(a) < BK_NAME_MAX_BYTES) abort();
    /* a name always matches itself */
    if (n > 1 && lines[1][0] != '\0') {
        size_t l1 = strlen(lines[1]);
        if (l1 < BK_NAME_MAX_BYTES / 2) {
            bk_name_normalize(m, lines[1], l1, kind, a, sizeof(a));
            if (a[0] != '\0') {
                if (bk_name_match(m, lines[1], lines + 1, 1, kind, &r) != 0 || r.status != BK_NAME_MATCHED) abort();
            }
        }
    }
    free(text);
    return 0;
}
