/* providers/adapter_util.h: small pieces every EMR adapter needs the same way, so that each has one way to do
 * them: reading provider_settings (an API key given inline or through an environment variable, base URL, bounded
 * integers, currency, printable text), credential ids, the transport status of a request, request URLs, copying
 * optional strings and an asked patient, and putting openings in order. Pure apart from getenv; no adapter
 * state. */
#ifndef FD_PROVIDERS_ADAPTER_UTIL_H
#define FD_PROVIDERS_ADAPTER_UTIL_H

#include <json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/http_client.h"
#include "providers/provider.h"

/** True when every byte of s is printable ASCII (0x20..0x7e, the space included). */
bool prov_printable(const char *s);

/** Reads provider_settings.<name> (an integer from lo to hi) into *out. Returns 0, or -1 with why naming the
 * setting and its range. */
int prov_setting_int(json_object *v, const char *name, long lo, long hi, int *out, char *why, size_t cap);

/** Reads a key setting: name "<key>" (e.g. "api_key": the key itself) or "<key>_env" (the name of an environment
 * variable holding it), a non-empty string; *key (which must be NULL: giving both is refused) receives an owned
 * copy the caller zeroes and frees. Returns 0, or -1 with why naming the setting. */
int prov_setting_key(const char *name, json_object *v, char **key, char *why, size_t cap);

/** Reads provider_settings.base_url: an http(s):// URL without a space, query or fragment, printable, under 400
 * characters and under out_cap; copies it without trailing '/' into out. Returns 0, or -1 with why saying what
 * is wanted and, when `example` is not NULL, quoting it as a sample URL. */
int prov_setting_base_url(json_object *v, const char *example, char *out, size_t out_cap, char *why, size_t cap);

/** Reads provider_settings.currency: an ISO 4217 code ("AUD") into out[4]. Returns 0, or -1 with why citing
 * `example`. */
int prov_setting_currency(json_object *v, const char *example, char out[4], char *why, size_t cap);

/** A copy of s, or NULL when s is NULL or empty; sets *oom when the copy could not be made. */
char *prov_dup_opt(const char *s, bool *oom);

/** Copies what a patient create asks (first and last name, email, phone, dob; empty ones stay NULL) from in to out
 * (zeroed). Returns false when out of memory: out then holds what was copied, for bk_patient_clear. */
bool prov_patient_copy_asked(bk_patient_t *out, const bk_patient_t *in);

/** Sorts v[0..n) by start and drops openings whose start repeats the previous one. Returns the count kept. */
size_t prov_openings_sort_unique(prov_opening_t *v, size_t n);

/** Zeroes the secret s (an API key, a client secret, a header holding one) and frees it; NULL is a no-op. */
void prov_secret_free(char *s);

/** Checks a key read by prov_setting_key (setting `name`) as an API key can be: at most max_len bytes, printable,
 * no space. Returns 0, or -1 with why naming the setting. */
int prov_key_usable(const char *key, const char *name, size_t max_len, char *why, size_t cap);

/** True when id is an EMR id safe in a URL path, a form body and a Redis key: [A-Za-z0-9_-], 1 to cap - 1 bytes. */
bool prov_id_usable(const char *id, size_t cap);

/** Makes room for one more element in *arr (n used, *cap allocated, elements of `size` bytes): 0 or -1. */
int prov_grow(void **arr, size_t n, size_t *cap, size_t size);

/** The provider status of a request's transport outcome, the one map every adapter uses: PROV_OK when an answer
 * arrived (any HTTP code: the adapter reads it), PROV_TIMEOUT for a timeout, PROV_RATE_LIMITED when the rate
 * limit needs longer than the deadline, PROV_UNAVAILABLE for no connection or a cancelled call, PROV_UPSTREAM for a
 * broken or oversize answer.
 * A write (`read` false) that was sent and got no connection, a cancel or a broken answer is PROV_TIMEOUT
 * instead: it may have been committed, so booking looks for it before writing again; one that never left the
 * queue is not. An adapter with its own rule for such a write applies it first and passes `read` true. */
prov_status_t prov_transport_status(const prov_http_response_t *r, bool read);

/** Writes base followed by fmt's expansion into out (cap bytes): an adapter's request URL. Returns false when it
 * does not fit (out is then cut short and must not be used). */
bool prov_url_vformat(char *out, size_t cap, const char *base, const char *fmt, va_list ap);

/** Writes "<vendor>:<16 hex digits>" into out (cap bytes): the FNV-1a hash of first then second (NULL: none), an
 * id for a rate budget or a Redis key that reveals nothing of the secret or name hashed. Returns the hash. */
uint64_t prov_credential_id(const char *vendor, const char *first, const char *second, char *out, size_t cap);

#endif
