/* voice/alternatives.h: when a slot a caller wanted is gone, the nearest free ones around that time, of the
 * same practitioner and of the others who offer that treatment at that location, as slots (with slot_id) and as
 * words an agent can read. */
#ifndef FD_VOICE_ALTERNATIVES_H
#define FD_VOICE_ALTERNATIVES_H

#include <json.h>
#include <stdint.h>

#include "booking/appointments.h"
#include "voice/host.h"

#define VC_ALT_MAX       2 /* alternatives offered */
#define VC_ALT_MAX_STAFF 6 /* practitioners asked (the named one first) */

/** Receives the alternatives: slots (a new array of up to VC_ALT_MAX slot objects with staff_member_name,
 * treatment_name and location_name; the callee owns it and must put it) and said ("tomorrow at 3:00 PM with Dr Sam
 * Nguyen or Thursday, April 23 at 9:00 AM with Zoe Martin", "" when none). */
typedef void (*vc_alt_cb)(json_object *slots, const char *said, void *data);

/** Looks for free slots nearest to `start` (from a day before to three days after, never before now): the
 * practitioner's own first, others' when nearer by more than 30 minutes; two offered differ in practitioner or
 * by an hour; none of the practitioner's overlaps [start, start + the treatment's length). The caller holds the
 * call's host (v->ops->hold) for the duration and gets cb exactly once (a failed read counts as no alternatives),
 * or -1 when nothing could be started (cb never called). v must stay valid until cb, which the caller's hold
 * ensures. read (may be NULL, copied): the practitioner's openings just read from the EMR (bk_appt_hold's check
 * of that time); within its window they are used, less the live holds, instead of the availability cache, which a
 * booking of that time has just emptied: a caller who lost a race is answered without refilling it. */
int vc_alternatives(const vc_call_t *v, const char *staff_id, const char *treatment_id, const char *location_id,
                    int64_t start, int64_t now, const bk_openings_read_t *read, vc_alt_cb cb, void *data);

#endif
