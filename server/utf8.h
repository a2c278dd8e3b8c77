/* server/utf8.h: UTF-8 well-formedness (RFC 3629: shortest form, no surrogates, at most U+10FFFF), shared by the
 * JSON validator and the query-string reader so that both accept exactly the same text. */
#ifndef FD_SERVER_UTF8_H
#define FD_SERVER_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/** Length of the well-formed UTF-8 character starting at s[0] (s[0..len) readable, len >= 1): 1 to 4, or 0 when
 * the bytes there are not one (a stray continuation byte, an overlong form, a surrogate, a cut sequence). */
size_t srv_utf8_char_len(const unsigned char *s, size_t len);

/** True when s[0..len) is entirely well-formed UTF-8. */
bool srv_utf8_valid(const char *s, size_t len);

#endif
