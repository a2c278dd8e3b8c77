/* booking/external_appt.h: appointments known by the caller's own id. A GoHighLevel calendar (and so every
 * ClinicSync-style caller) names an appointment by its calendar's appointmentId, not the EMR's: the booking
 * links that id to the EMR's appointment, and later updates and cancels find it through the link.
 *
 * fd:{t}:extappt:<external id> is the EMR appointment id, kept BK_EXTERNAL_TTL_MS after the link is made. */
#ifndef FD_BOOKING_EXTERNAL_APPT_H
#define FD_BOOKING_EXTERNAL_APPT_H

#include <stdbool.h>

#include "booking/catalog_cache.h"
#include "core/model.h"

#define BK_EXTERNAL_TTL_MS (400LL * 24 * 3600 * 1000) /* a year of follow-ups, and some */
#define BK_EXTERNAL_ID_CAP 129                        /* 128 bytes and the NUL */

/** Links external_id to appointment_id (replacing an earlier link of that external id). Fire and forget. */
void bk_external_link(bk_env_t *env, const bk_tenant_t *tenant, const char *external_id, const char *appointment_id);

/** Receives the appointment id linked to the external id (borrowed; NULL when none), or ok false when Redis
 * failed. */
typedef void (*bk_external_cb)(bool ok, const char *appointment_id, void *data);

/** Looks up the appointment linked to external_id. Returns 0 and calls cb exactly once later, or -1 (Redis not
 * connected) and never calls it. */
int bk_external_resolve(bk_env_t *env, const bk_tenant_t *tenant, const char *external_id, bk_external_cb cb,
                        void *data);

#endif
