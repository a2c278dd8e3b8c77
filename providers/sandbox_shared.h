/* providers/sandbox_shared.h: one parse of a sandbox clinic file shared by every tenant that uses the same bytes.
 *
 * A thousand sandbox tenants on the built-in demo clinic hold one parsed clinic, not a thousand: the parse, its
 * id index, the per-practitioner booking lists and the SHA-256 digest are made once. The demo clinic is parsed
 * on first use and kept for the life of the process; a clinic file is kept while a tenant holds it, keyed by the
 * SHA-256 of its bytes, so a SIGHUP reload whose snapshot names the same file reuses the parse and a changed file
 * gets its own. Everything reachable from an sb_shared_t is immutable and may be read from any thread. */
#ifndef FD_PROVIDERS_SANDBOX_SHARED_H
#define FD_PROVIDERS_SANDBOX_SHARED_H

#include <stddef.h>

#include "core/interval.h"
#include "providers/sandbox_clinic.h"

/* The file's bookings of one practitioner, sorted by start (all locations: a person is in one place). */
typedef struct sb_busy_list {
    bk_interval_t *v;
    size_t n;
} sb_busy_list_t;

typedef struct sb_shared {
    const char *json; /* the clinic file's bytes */
    size_t json_len;
    char digest[65]; /* SHA-256 of json, hex */
    const sb_clinic_t *clinic;
    const sb_busy_list_t *booked; /* per practitioner */
    const sb_diag_t *diag;        /* the parse's warnings, for each tenant's start-up log */
} sb_shared_t;

/** The built-in demo clinic, parsed once for the life of the process (later calls return the same pointer).
 * NULL when it cannot be parsed or memory ran out (why says which). Release it like any other. */
const sb_shared_t *sb_shared_demo(char *why, size_t why_cap);

/** The parse of json (len bytes, malloc'd; ownership passes to this call in every case): the one already held
 * when another tenant uses the same bytes, else a fresh parse. NULL when the file has errors (why holds
 * "clinic_file: " and the rendered diagnostics) or memory ran out. Each non-NULL answer is one reference. */
const sb_shared_t *sb_shared_acquire(char *json, size_t len, char *why, size_t why_cap);

/** Drops one reference; the last one of a clinic file frees it (the demo clinic stays). NULL is a no-op. */
void sb_shared_release(const sb_shared_t *shared);

#endif
