/* providers/record_id.h: ids for records a provider keeps in Redis that are never handed out twice, even after
 * Redis lost its data or when many processes create records at once, without any shared counter. */
#ifndef FD_PROVIDERS_RECORD_ID_H
#define FD_PROVIDERS_RECORD_ID_H

#include <stdbool.h>
#include <stddef.h>

/* prefix + 8 base-36 digits of the wall clock in ms + 6 random base-36 digits, e.g. "sb-appt-mc4x1z0k7f3q2a". */
#define PROV_RECORD_ID_DIGITS 14

/** Writes prefix followed by PROV_RECORD_ID_DIGITS lower-case base-36 digits into out: the creation time in
 * milliseconds (ids sort by creation across processes whose clocks agree) then 31 bits of randomness from the
 * kernel (two ids made in the same millisecond differ but for a 1 in 2 billion chance; writers still refuse to
 * overwrite an existing id). Returns false, writing nothing usable, when cap is too small or the kernel gives no
 * randomness. Thread-safe; never blocks once the kernel's random pool is initialised (at boot). */
bool prov_record_id(const char *prefix, char *out, size_t cap);

#endif
