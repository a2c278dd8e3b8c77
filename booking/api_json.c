/* booking/api_json.c: the slot and appointment objects of the API (see api_json.h). */
#include "booking/api_json.h"

#include <stdio.h>
#include <string.h>

#include "core/slot_token.h"
#include "tz/tz_spoken.h"

void bk_slot_writer_init(bk_slot_writer_t *w, const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                         const char *location_id, const tz_zone_t *zone, int64_t now)
{
    memset(w, 0, sizeof(*w));
    w->rd = rd;
    snprintf(w->ref.tenant, sizeof(w->ref.tenant), "%s", rd->tenant->id);
    snprintf(w->ref.staff_id, sizeof(w->ref.staff_id), "%s", staff_id);
    snprintf(w->ref.treatment_id, sizeof(w->ref.treatment_id), "%s", treatment_id);
    snprintf(w->ref.location_id, sizeof(w->ref.location_id), "%s", location_id);
    w->zone = zone;
    w->locale = rd->tenant->locale != NULL ? rd->tenant->locale : "en-US";
    w->now = now;
}

/* The texts of one slot object's fields, in the object's order. */
typedef struct slot_texts {
    char token[BK_SLOT_TOKEN_CAP], utc_start[TZ_ISO_CAP], utc_end[TZ_ISO_CAP], local[TZ_ISO_CAP], spoken[128];
} slot_texts_t;

static void slot_texts(bk_slot_writer_t *w, int64_t start, int64_t end, slot_texts_t *t)
{
    w->ref.start = start;
    w->ref.end = end;
    bk_slot_token_make(w->rd->slot_secret, w->rd->slot_secret_len, &w->ref, t->token);
    tz_format_utc(start, t->utc_start);
    tz_format_utc(end, t->utc_end);
    tz_format_local(w->zone, start, t->local);
    if (tz_speak(w->rd->speaker, w->locale, w->zone, start, w->now, 0, t->spoken, sizeof(t->spoken)) < 0)
        t->spoken[0] = '\0';
}

void bk_slot_writer_put(bk_slot_writer_t *w, bk_json_out_t *out, int64_t start, int64_t end)
{
    slot_texts_t t;
    slot_texts(w, start, end, &t);
    const char *values[] = {t.token, t.utc_start, t.utc_end, t.local, t.spoken, w->ref.staff_id, w->ref.treatment_id,
                            w->ref.location_id};
    static const char *const keys[] = {"{\"slot_id\":", ",\"start_at\":", ",\"end_at\":", ",\"start_local\":",
                                       ",\"spoken\":", ",\"staff_member_id\":", ",\"treatment_id\":",
                                       ",\"location_id\":"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        bk_json_out_raw(out, keys[i], strlen(keys[i]));
        bk_json_out_string(out, values[i], false);
    }
    bk_json_out_raw(out, "}", 1);
}

json_object *bk_slot_to_json(const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                             const char *location_id, const tz_zone_t *zone, int64_t start, int64_t end, int64_t now)
{
    bk_slot_writer_t w;
    bk_slot_writer_init(&w, rd, staff_id, treatment_id, location_id, zone, now);
    slot_texts_t t;
    slot_texts(&w, start, end, &t);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "slot_id", json_object_new_string(t.token));
    json_object_object_add(o, "start_at", json_object_new_string(t.utc_start));
    json_object_object_add(o, "end_at", json_object_new_string(t.utc_end));
    json_object_object_add(o, "start_local", json_object_new_string(t.local));
    json_object_object_add(o, "spoken", json_object_new_string(t.spoken));
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
