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
    tz_offset_span_init(&w->offsets, zone);
    w->utc_day = w->local_day = INT64_MIN;
    static const char *const keys[] = {",\"staff_member_id\":", ",\"treatment_id\":", ",\"location_id\":"};
    const char *values[] = {w->ref.staff_id, w->ref.treatment_id, w->ref.location_id};
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) { /* fits: each id is under 160 bytes, at most 6 bytes each escaped */
        memcpy(w->tail + n, keys[i], strlen(keys[i]));
        n += strlen(keys[i]);
        bk_json_put_string(w->tail, sizeof(w->tail) - 2, &n, values[i], false);
    }
    w->tail[n++] = '}';
    w->tail_len = n;
}

#define YEAR_10000_MS 253402300800000LL /* the first instant tz_format_utc would not write by hand */

static void put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
}

/* Writes "YYYY-MM-DDTHH:MM:SS" (+ ".mmm" when with_ms) of `ms` read as UTC, the date from a one-day memo (as
 * tz_format_utc writes it). Returns the length. */
static size_t put_wall(int64_t ms, bool with_ms, int64_t *memo_day, char memo[12], char *buf)
{
    int64_t day = ms / TZ_MS_PER_DAY, in_day = ms % TZ_MS_PER_DAY;
    if (day != *memo_day) {
        char iso[TZ_ISO_CAP];
        tz_format_utc(day * TZ_MS_PER_DAY, iso);
        memcpy(memo, iso, 11);
        *memo_day = day;
    }
    memcpy(buf, memo, 11);
    put_digits(buf + 11, in_day / TZ_MS_PER_HOUR, 2), buf[13] = ':';
    put_digits(buf + 14, in_day / TZ_MS_PER_MINUTE % 60, 2), buf[16] = ':';
    put_digits(buf + 17, in_day / 1000 % 60, 2);
    if (!with_ms) return 19;
    buf[19] = '.', put_digits(buf + 20, in_day % 1000, 3);
    return 23;
}

/* tz_format_utc and tz_format_local of t, the same text, with each day's date and each span's offset found once
 * (the slots of one practitioner share a few dozen of each). */
static void format_times(bk_slot_writer_t *w, int64_t t, char *utc, char *local)
{
    int off = tz_offset_cached(&w->offsets, t);
    int64_t wall = t + (int64_t)off * 1000;
    if (t < 0 || wall < 0 || t >= YEAR_10000_MS || wall >= YEAR_10000_MS || off % 60 != 0) {
        tz_format_utc(t, utc);
        tz_format_local(w->zone, t, local);
        return;
    }
    size_t n = put_wall(t, true, &w->utc_day, w->utc_date, utc);
    utc[n++] = 'Z', utc[n] = '\0';
    n = put_wall(wall, wall % 1000 != 0, &w->local_day, w->local_date, local);
    int a = off < 0 ? -off : off;
    local[n] = off < 0 ? '-' : '+', put_digits(local + n + 1, a / 3600, 2), local[n + 3] = ':';
    put_digits(local + n + 4, a / 60 % 60, 2), local[n + 6] = '\0';
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
    char unused[TZ_ISO_CAP];
    format_times(w, start, t->utc_start, t->local);
    format_times(w, end, t->utc_end, unused);
    if (tz_speak(w->rd->speaker, w->locale, w->zone, start, w->now, 0, t->spoken, sizeof(t->spoken)) < 0)
        t->spoken[0] = '\0';
}

void bk_slot_writer_put(bk_slot_writer_t *w, bk_json_out_t *out, int64_t start, int64_t end)
{
    slot_texts_t t;
    slot_texts(w, start, end, &t);
    /* The id (base64url and '.') and the times (digits and -:.TZ+) never need escaping. */
    const char *plain[] = {t.token, t.utc_start, t.utc_end, t.local};
    static const char *const keys[] = {"{\"slot_id\":\"", "\",\"start_at\":\"", "\",\"end_at\":\"",
                                       "\",\"start_local\":\""};
    for (size_t i = 0; i < 4; i++) {
        bk_json_out_raw(out, keys[i], strlen(keys[i]));
        bk_json_out_raw(out, plain[i], strlen(plain[i]));
    }
    bk_json_out_raw(out, "\",\"spoken\":", 11);
    bk_json_out_string(out, t.spoken, false);
    bk_json_out_raw(out, w->tail, w->tail_len);
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
