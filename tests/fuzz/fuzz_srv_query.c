/* Fuzz target: query strings. srv_query_decode never exceeds its bound, NUL-terminates at the returned length
 * and holds no NUL inside. srv_query_find_bad answers -1, 0 or 1, names a bad value's parameter with valid
 * UTF-8, and agrees with decoding plus srv_utf8_valid on a query that is one bare value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/query.h"
#include "server/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *q = (const char *)data;
    char out[64];
    long n = srv_query_decode(q, size, out, sizeof(out));
    if (n >= 0) {
        if ((size_t)n >= sizeof(out) || out[n] != '\0' || strlen(out) != (size_t)n) abort();
    }
    char name[65];
    int bad = srv_query_find_bad(q, size, name, sizeof(name));
    if (bad < -1 || bad > 1 || memchr(name, '\0', sizeof(name)) == NULL) abort();
    if (bad == 1 && !srv_utf8_valid(name, strlen(name))) abort();
    if (memchr(q, '&', size) == NULL && memchr(q, '=', size) == NULL && size <= 8192) {
        static char whole[8193];
        long m = srv_query_decode(q, size, whole, sizeof(whole));
        bool text = m >= 0 && srv_utf8_valid(whole, (size_t)m);
        if ((bad == 0) != text) abort();
    }
    return 0;
}
