/* booking/api_json.c: the slot and appointment objects of the API (see api_json.h). */
#include "booking/api_json.h"

#include <stdio.h>
#include <string.h>

#include "core/slot_token.h"
#include "tz/tz_spoken.h"

json_object *bk_slot_to_json(const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                             const char *location_id, const tz_zone_t *zone, int64_t start, int64_t end, int64_t now)
{
    bk_slot_ref_t ref;
    memset(&ref, 0, sizeof(ref));
    snprintf(ref.tenant, sizeof(ref.tenant), "%s", rd->tenant->id);
    snprintf(ref.staff_id, sizeof(ref.staff_id), "%s", staff_id);
    snprintf(ref.treatment_id, sizeof(ref.treatment_id), "%s", treatment_id);
    snprintf(ref.location_id, sizeof(ref.location_id), "%s", location_id);
    ref.start = start;
    ref.end = end;
    char token[BK_SLOT_TOKEN_CAP], utc_start[TZ_ISO_CAP], utc_end[TZ_ISO_CAP], local[TZ_ISO_CAP], spoken[128];
    bk_slot_token_make(rd->slot_secret, rd->slot_secret_len, &ref, token);
    tz_format_utc(start, utc_start);
    tz_format_utc(end, utc_end);
    tz_format_local(zone, start, local);
    const char *locale = rd->tenant->locale != NULL ? rd->tenant->locale : "en-US";
    if (tz_speak(rd->speaker, locale, zone, start, now, 0, spoken, sizeof(spoken)) < 0) spoken[0] = '\0';
    json_object *o = json_object_new_object();
    json_object_object_add(o, "slot_id", json_object_new_string(token));
    json_object_object_add(o, "start_at", json_object_new_string(utc_start));
    json_object_object_add(o, "end_at", json_object_new_string(utc_end));
    json_object_object_add(o, "start_local", json_object_new_string(local));
    json_object_object_add(o, "spoken", json_object_new_string(spoken));
    json_object_object_add(o, "staff_member_id", json_object_new_string(staff_id));
    json_object_object_add(o, "treatment_id", json_object_new_string(treatment_id));
    json_object_object_add(o, "location_id", json_object_new_string(location_id));
    return o;
}

bool bk_slot_id_read(const bk_render_t *rd, const char *slot_id, bk_slot_ref_t *ref)
{
    return bk_slot_token_read(rd->slot_secret, rd->slot_secret_len, slot_id, strlen(slot_id), ref) &&
           strcmp(ref->tenant, rd->tenant->id) == 0;
}

json_object *bk_appointment_to_json(const bk_render_t *rd, const bk_catalog_t *catalog, const bk_appointment_t *a,
                                    int64_t now)
{
    long s = bk_catalog_find_staff(catalog, a->staff_id), t = bk_catalog_find_treatment(catalog, a->treatment_id);
    long l = bk_catalog_find_location(catalog, a->location_id);
    const tz_zone_t *zone =
        l >= 0 && catalog->locations[l].time_zone != NULL ? tz_zone_load(catalog->locations[l].time_zone) : NULL;
    if (zone == NULL && rd->tenant->time_zone != NULL) zone = tz_zone_load(rd->tenant->time_zone);
    if (zone == NULL) zone = tz_zone_fixed(0);
    char start[TZ_ISO_CAP], end[TZ_ISO_CAP], local[TZ_ISO_CAP], spoken[128], staff_name[256];
    tz_format_utc(a->start, start);
    tz_format_utc(a->end, end);
    tz_format_local(zone, a->start, local);
    const char *locale = rd->tenant->locale != NULL ? rd->tenant->locale : "en-US";
    if (tz_speak(rd->speaker, locale, zone, a->start, now, 0, spoken, sizeof(spoken)) < 0) spoken[0] = '\0';
    staff_name[0] = '\0';
    if (s >= 0) bk_staff_display_name(&catalog->staff[s], staff_name, sizeof(staff_name));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(a->id));
    json_object_object_add(o, "state", json_object_new_string(bk_appt_state_name(a->state)));
    json_object_object_add(o, "start_at", json_object_new_string(start));
    json_object_object_add(o, "end_at", json_object_new_string(end));
    json_object_object_add(o, "start_local", json_object_new_string(local));
    json_object_object_add(o, "spoken", json_object_new_string(spoken));
    json_object_object_add(o, "patient_id",
                           a->patient_id && a->patient_id[0] ? json_object_new_string(a->patient_id) : NULL);
    json_object_object_add(o, "staff_member_id", json_object_new_string(a->staff_id));
    json_object_object_add(o, "staff_member_name", s >= 0 ? json_object_new_string(staff_name) : NULL);
    json_object_object_add(o, "treatment_id", json_object_new_string(a->treatment_id));
    json_object_object_add(o, "treatment_name", t >= 0 ? json_object_new_string(catalog->treatments[t].name) : NULL);
    json_object_object_add(o, "location_id", json_object_new_string(a->location_id));
    json_object_object_add(o, "location_name",
                           l >= 0 && catalog->locations[l].name ? json_object_new_string(catalog->locations[l].name)
                                                                : NULL);
    return o;
}
