/* providers/practicebetter_decode.h: pure decoders of Practice Better's answers into the normalized model, the
 * classification of its errors, and the local wall time its writes carry. No I/O, so each is unit-tested
 * (tests/unit/practicebetter_decode_test.c).
 *
 * What is known of the API comes from third-party clients, not from vendor documentation: lists are
 * {"count", "hasMore", "items": [...]} (newest first, paged with limit and before_id); IDs are opaque strings
 * (we keep [A-Za-z0-9_-]{1,63}, safe in a URL path and a Redis key); reads carry ISO 8601 instants; writes carry
 * a local wall time with no offset plus a Windows zone name. No error schema was captured: the decoders read a
 * "message" (or "error_description"/"error") wherever it is, and classify by HTTP status and that text. */
#ifndef FD_PROVIDERS_PRACTICEBETTER_DECODE_H
#define FD_PROVIDERS_PRACTICEBETTER_DECODE_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "providers/provider.h"
#include "tz/tz.h"

#define PROV_PB_ID_CAP    64
#define PROV_PB_TOKEN_CAP 2048

/** True when id is one we keep: [A-Za-z0-9_-]{1,63}. */
bool prov_pb_valid_id(const char *id);

/** One page of a list: items (borrowed from root), hasMore, and the id of its last item (the next before_id). */
typedef struct prov_pb_page {
    json_object *root; /* owned */
    json_object *items;
    bool has_more;
    char last_id[PROV_PB_ID_CAP];
} prov_pb_page_t;

/** Parses a list answer: an object with an "items" array (or `alt_key`'s array; the members list has been seen
 * as "members"), or a bare array. Returns 0, or -1 when it is neither or an item's id is unusable. hasMore
 * absent means false. Clear it afterwards. */
int prov_pb_page_parse(const char *body, size_t len, const char *alt_key, prov_pb_page_t *out);
void prov_pb_page_clear(prov_pb_page_t *page);

/** What an error answer means for us: 401 is handled by the caller (the token); 404 is PROV_NOT_FOUND when
 * `record` (the asked record does not exist), else PROV_UPSTREAM; a 4xx whose text speaks of a conflict, an
 * unavailable time or a slot (how Practice Better refuses a taken time: research) or a 409 is PROV_CONFLICT;
 * other 400/422 are PROV_REJECTED; 429 PROV_RATE_LIMITED; 403 and the rest PROV_UPSTREAM. */
prov_status_t prov_pb_error_status(long http_code, const char *body, size_t len, bool record);

/** Reads the token endpoint's answer: access_token (printable, no spaces, < PROV_PB_TOKEN_CAP) and expires_in
 * seconds (absent: 3600, the documented ~1 h). Returns 0, or -1. */
int prov_pb_token_decode(const char *body, size_t len, char *token, size_t cap, int64_t *expires_in_s);

/** A team member: {id, activationStatus, isPractitioner, firstName, lastName (or profile{...}), emailAddress}.
 * Fills staff (id, names, email; ai_enabled true). *bookable is true for an activated practitioner. */
int prov_pb_member_decode(json_object *item, bk_staff_t *staff, bool *bookable);

/** A client record: {id, status, profile{firstName, lastName, emailAddress, mobilePhone, homePhone,
 * dateOfBirth}}. phones receives the numbers as stored; *active is false for a record whose status is not
 * "active" (archived). Returns 0, or -1 when the id is unusable. */
int prov_pb_client_decode(json_object *item, bk_patient_t *p, bk_strings_t *phones, bool *active);

/** A session: {id, sessionDate, endDate | duration (seconds), cancelled, clientRecord{id} | clientRecordId,
 * consultant{id} | asConsultantId, service{id} | serviceId}. Instants with an offset or Z; one without is read
 * in `zone` (the location's). location_id is the tenant's one location. Returns 0, or -1. */
int prov_pb_session_decode(json_object *item, const tz_zone_t *zone, const char *location_id, bk_appointment_t *a);

/** An opening of the availability answer: {startTime | startDate, endTime | endDate}. Returns 0, or -1. */
int prov_pb_slot_decode(json_object *item, const tz_zone_t *zone, int64_t *start, int64_t *end);

/** The local wall time a write carries for instant t in zone: "YYYY-MM-DDTHH:MM:SS" with no offset. Returns 0,
 * or -1 when t cannot be written unambiguously (not on a whole minute, or the second occurrence of a repeated
 * local time: a wall time plus a zone name means its first occurrence). */
int prov_pb_local_wall_time(const tz_zone_t *zone, int64_t t, char out[20]);

#endif
