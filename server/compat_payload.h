/* server/compat_payload.h: the bodies of the drop-in ClinicSync routes read into one shape: the per-EMR
 * /api-{book,update,cancel}-appointment bodies, the Nookal-style /api/nookal/ bodies and GoHighLevel workflow
 * webhooks (contact fields at the top level, customData, calendar, location). Each value may come under any of the
 * names those bodies use for it; the first one present wins. A value of the wrong type is a 400 invalid_field naming
 * it. */
#ifndef FD_SERVER_COMPAT_PAYLOAD_H
#define FD_SERVER_COMPAT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/phone.h"
#include "tz/tz.h"
#include "server/request.h"

#define SRV_COMPAT_TEXT_CAP 256

/** Which family of callers a route serves: the answer's shape follows it. */
typedef enum srv_compat_family {
    SRV_COMPAT_CLINICSYNC = 0, /* /api-book-appointment, /api-update-appointment, /api-cancel-appointment */
    SRV_COMPAT_NOOKAL,         /* /api/nookal/book_appt, update_appt, cancel_appt */
    SRV_COMPAT_GHL,            /* /ghl/<token>/bookAppt, update_appt, cancel_appt: flat answers */
} srv_compat_family_t;

/** One value read from the body: its text ("" when absent) and the name it came under (for errors). */
typedef struct srv_compat_value {
    char text[SRV_COMPAT_TEXT_CAP];
    const char *field; /* e.g. "customData.staff_member"; NULL when absent */
} srv_compat_value_t;

/** What a booking, update or cancel says. */
typedef struct srv_compat_payload {
    srv_compat_value_t staff, treatment, location, room, duration;
    srv_compat_value_t start, end, time_zone, appointment_id, reason;
    srv_compat_value_t first_name, last_name, email, phone, dob, city, state, country;
} srv_compat_payload_t;

/** The family of r's route. */
srv_compat_family_t srv_compat_family(const srv_request_t *r);

/** Reads r's JSON body into p. Returns false after answering 400 invalid_field (a value that is not text or a
 * whole number, or longer than SRV_COMPAT_TEXT_CAP - 1 bytes). */
bool srv_compat_read(srv_request_t *r, srv_compat_payload_t *p);

/** Answers 400 missing_field naming v's first documented name (`name`) and returns false when v is absent. */
bool srv_compat_require(srv_request_t *r, const srv_compat_value_t *v, const char *name);

/** Reads p's calendar times: startTime (required) and endTime (optional: *has_end false), each read in
 * calendar.selectedTimezone when given, else in `zone`, when it has no offset; an end must come after the start,
 * within 24 hours. Returns false after answering 400 (missing, unparsable, unknown zone) or 422 invalid_range. */
bool srv_compat_times(srv_request_t *r, const srv_compat_payload_t *p, const tz_zone_t *zone, int64_t *start,
                      int64_t *end, bool *has_end);

#endif
