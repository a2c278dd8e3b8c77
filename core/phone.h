/* core/phone.h: phone numbers to E.164 and e-mail addresses to their lookup form (pure, no I/O). */
#ifndef FD_BOOKING_PHONE_H
#define FD_BOOKING_PHONE_H

#include <stddef.h>

#define BK_PHONE_CAP 20 /* "+" + at most 15 digits + NUL, with room to spare */
#define BK_EMAIL_CAP 256

/** Writes the E.164 form ("+61412345678") of a phone number as a person or a form writes it: spaces, dashes,
 * dots, slashes and parentheses are ignored; a leading "+" keeps its country code; "00" (and "011" in US/CA,
 * "0011" in AU) starts an international number; anything else is national and is read with `country` (ISO
 * 3166-1 alpha-2: AU, US, CA, GB/UK, NZ; NULL or another country: national numbers are refused).
 * Returns 0, or -1 with a short reason in why (may be NULL) for letters, a wrong length or a number that
 * cannot be placed. out holds BK_PHONE_CAP bytes. */
int bk_phone_normalize(const char *in, const char *country, char out[BK_PHONE_CAP], char *why, size_t why_cap);

/** Writes an e-mail address trimmed and lower-cased into out (BK_EMAIL_CAP). Returns 0, or -1 when it does not
 * look like local@domain (one "@", no spaces, a dot in the domain) or does not fit. */
int bk_email_normalize(const char *in, char out[BK_EMAIL_CAP]);

#endif
