/* tz/tz_windows.h: an IANA zone's Windows time-zone ID ("Australia/Sydney" -> "AUS Eastern Standard Time"), from
 * ICU's CLDR mapping (never a hand-written table), for EMRs that take Windows names on writes (Practice Better).
 * The reverse direction is tz_resolve (tz_names.h), which accepts Windows IDs. */
#ifndef FD_TZ_WINDOWS_H
#define FD_TZ_WINDOWS_H

#include <stddef.h>

/** Writes the Windows ID of IANA zone `iana` (canonical or an alias ICU knows) into out. Returns 0, or -1 (out
 * then "") when ICU maps it to no Windows zone, the name is unknown, or it does not fit in cap. Thread-safe. */
int tz_windows_id(const char *iana, char *out, size_t cap);

#endif
