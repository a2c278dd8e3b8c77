/* server/compat_resolve.h: the practitioner, treatment and location a ClinicSync-style booking names, found in the
 * catalog: staff by e-mail (the catalog's practitioner e-mail) or by name, treatments by name (or id), locations by
 * name among those the tenant may book (none named: the practitioner's, the tenant's default first). Names are
 * matched as the voice routes match them (core/name_match.h). */
#ifndef FD_SERVER_COMPAT_RESOLVE_H
#define FD_SERVER_COMPAT_RESOLVE_H

#include <stdbool.h>

#include "core/model.h"
#include "server/compat_payload.h"
#include "server/request.h"

/** The catalog indexes a booking resolves to. */
typedef struct srv_compat_choice {
    long staff, treatment, location;
} srv_compat_choice_t;

/** Resolves p's staff, treatment and location against catalog. Returns false after answering: 400 missing_field,
 * 422 unknown_staff / unknown_treatment / unknown_location / ambiguous_name (naming the body's field), or 422
 * not_offered when the practitioner does not give the treatment at the location. */
bool srv_compat_resolve(srv_request_t *r, const bk_catalog_t *catalog, const srv_compat_payload_t *p,
                        srv_compat_choice_t *out);

#endif
