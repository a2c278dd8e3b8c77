/* Fuzz target: query-string decoding. The output never exceeds its bound, is NUL-terminated at the returned
 * length, and holds no NUL byte inside. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[64];
    long n = srv_query_decode((const char *)data, size, out, sizeof(out));
    if (n >= 0) {
        if ((size_t)n >= sizeof(out) || out[n] != '\0' || strlen(out) != (size_t)n) abort();
    }
    return 0;
}
