/* booking/api_json.h: the API.md slot and appointment objects, rendered for one tenant: ids, UTC and local times,
 * the time said aloud, and for a slot its signed slot_id. Shared by the JSON routes and the voice conversation. */
#ifndef FD_BOOKING_API_JSON_H
#define FD_BOOKING_API_JSON_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json_out.h"
#include "core/model.h"
#include "core/slot_token.h"
#include "tz/tz.h"
#include "tz/tz_spoken.h"

/** What rendering needs of the caller's world: the tenant (locale, zone), this thread's speaker and the secret
 * slot ids are signed with. */
typedef struct bk_render {
    const bk_tenant_t *tenant;
    tz_speaker_t *speaker;
    const unsigned char *slot_secret;
    size_t slot_secret_len;
} bk_render_t;

/** The slot object of one opening, with its signed slot_id, local time and spoken time (caller owns). */
json_object *bk_slot_to_json(const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                             const char *location_id, const tz_zone_t *zone, int64_t start, int64_t end, int64_t now);

/** What bk_slot_writer_put needs for many slots of one practitioner x treatment x location: the ids, zone and
 * locale read once, the slot id's fixed fields filled once. */
typedef struct bk_slot_writer {
    const bk_render_t *rd;
    bk_slot_ref_t ref;
    bk_slot_token_prep_t token;    /* the slot ids' fixed part, signed and encoded once */
    const tz_zone_t *zone;
    const char *locale;
    int64_t now;
    tz_offset_span_t offsets;      /* the zone's offset, looked up once per transition */
    tz_speak_plan_t speech;        /* the spoken times' locale, zone and today, worked out once */
    int64_t utc_day, local_day;    /* the days (since 1970) whose "YYYY-MM-DDT" is below */
    char utc_date[12], local_date[12];
    char tail[3 * 6 * 160 + 64];   /* ,"staff_member_id":..."location_id":"..."} written once, escaped */
    size_t tail_len;
} bk_slot_writer_t;

/** Prepares w for the slots of one practitioner, treatment and location (the strings are copied). */
void bk_slot_writer_init(bk_slot_writer_t *w, const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                         const char *location_id, const tz_zone_t *zone, int64_t now);

/** Appends the slot object of [start, end) to out as JSON text: byte for byte what srv_json_text writes for
 * bk_slot_to_json's object (no slash escaping), without building it. */
void bk_slot_writer_put(bk_slot_writer_t *w, bk_json_out_t *out, int64_t start, int64_t end);

/** Reads back a slot_id this tenant was given (bk_slot_to_json): false when it is malformed, forged, signed with
 * another secret or names another tenant. The caller still checks that the slot is free. */
bool bk_slot_id_read(const bk_render_t *rd, const char *slot_id, bk_slot_ref_t *ref);

/** The appointment object, with practitioner, treatment and location names from catalog (caller owns); times in
 * the location's zone, else the tenant's, else UTC. */
json_object *bk_appointment_to_json(const bk_render_t *rd, const bk_catalog_t *catalog, const bk_appointment_t *a,
                                    int64_t now);

#endif
