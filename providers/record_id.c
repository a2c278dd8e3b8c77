/* providers/record_id.c: time-ordered random record ids (see record_id.h). */
#include "providers/record_id.h"

#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define TIME_DIGITS 8   /* 36^8 ms reach the year 2059 */
#define RANDOM_DIGITS 6 /* 36^6 > 2^31 */

static void base36(uint64_t v, char *out, int digits)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = alphabet[v % 36];
        v /= 36;
    }
}

bool prov_record_id(const char *prefix, char *out, size_t cap)
{
    size_t len = strlen(prefix);
    uint64_t random;
    struct timespec now;
    if (cap < len + PROV_RECORD_ID_DIGITS + 1) return false;
    if (getrandom(&random, sizeof(random), 0) != (ssize_t)sizeof(random)) return false;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
    memcpy(out, prefix, len);
    base36(ms, out + len, TIME_DIGITS);
    base36(random % 2176782336u /* 36^6 */, out + len + TIME_DIGITS, RANDOM_DIGITS);
    out[len + PROV_RECORD_ID_DIGITS] = '\0';
    return true;
}
