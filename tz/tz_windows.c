/* tz/tz_windows.c: IANA -> Windows zone IDs through ICU (ucal_getWindowsTimeZoneID), see tz_windows.h. */
#include "tz/tz_windows.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#define ID_CAP 128

int tz_windows_id(const char *iana, char *out, size_t cap)
{
    if (out == NULL || cap == 0) return -1;
    out[0] = '\0';
    size_t len = iana != NULL ? strlen(iana) : 0;
    if (len == 0 || len >= ID_CAP) return -1;
    UChar uzone[ID_CAP], uwin[ID_CAP];
    u_uastrncpy(uzone, iana, ID_CAP);
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = ucal_getWindowsTimeZoneID(uzone, (int32_t)len, uwin, ID_CAP, &st);
    if (U_FAILURE(st) || n <= 0 || n >= ID_CAP || (size_t)n >= cap) return -1;
    u_austrncpy(out, uwin, n);
    out[n] = '\0';
    return 0;
}
