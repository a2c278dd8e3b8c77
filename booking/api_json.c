/* booking/api_json.c: the slot and appointment objects of the API (see api_json.h). */
#include "booking/api_json.h"

#include <string.h>

#include "core/slot_token.h"
#include "tz/tz_spoken.h"

/* src into dst (cap bytes), cut to fit as snprintf("%s") would. */
static void copy_id(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Everything of the writer but its tail: what one slot object needs (bk_slot_to_json). No memset: the writer is
 * a few kB and every field read later is set here. */
static void writer_setup(bk_slot_writer_t *w, const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                         const char *location_id, const tz_zone_t *zone, int64_t now)
{
    w->rd = rd;
    copy_id(w->ref.tenant, sizeof(w->ref.tenant), rd->tenant->id);
    copy_id(w->ref.staff_id, sizeof(w->ref.staff_id), staff_id);
    copy_id(w->ref.treatment_id, sizeof(w->ref.treatment_id), treatment_id);
    copy_id(w->ref.location_id, sizeof(w->ref.location_id), location_id);
    w->ref.start = w->ref.end = 0;
    bk_slot_token_prepare(rd->slot_secret, rd->slot_secret_len, &w->ref, &w->token);
    w->zone = zone;
    w->locale = rd->tenant->locale != NULL ? rd->tenant->locale : "en-US";
    w->now = now;
    tz_offset_span_init(&w->offsets, zone);
    tz_speak_plan_init(&w->speech, rd->speaker, w->locale, zone, now, TZ_SPEAK_DEFAULT);
    w->utc_day = w->local_day = INT64_MIN; /* utc_date and local_date are written before they are read */
    w->tail_len = 0;
}

void bk_slot_writer_init(bk_slot_writer_t *w, const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                         const char *location_id, const tz_zone_t *zone, int64_t now)
{
    writer_setup(w, rd, staff_id, treatment_id, location_id, zone, now);
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

/* "00".."99": two digits at a time. */
static const char two_digits[] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

static void put_2(char *p, int v)
{
    memcpy(p, two_digits + 2 * v, 2);
}

/* Writes "YYYY-MM-DDTHH:MM:SS" (+ ".mmm" when with_ms) of `ms` read as UTC, the date from a one-day memo (as
 * tz_format_utc writes it). Returns the length. */
static size_t put_wall(int64_t ms, bool with_ms, int64_t *memo_day, char memo[12], char *buf)
{
    int64_t day = ms / TZ_MS_PER_DAY;
    int in_day = (int)(ms % TZ_MS_PER_DAY), in_minute = in_day % (int)TZ_MS_PER_MINUTE;
    if (day != *memo_day) {
        char iso[TZ_ISO_CAP];
        tz_format_utc(day * TZ_MS_PER_DAY, iso);
        memcpy(memo, iso, 11);
        *memo_day = day;
    }
    int minutes = in_day / (int)TZ_MS_PER_MINUTE;
    memcpy(buf, memo, 11);
    put_2(buf + 11, minutes / 60), buf[13] = ':';
    put_2(buf + 14, minutes % 60), buf[16] = ':';
    put_2(buf + 17, in_minute / 1000);
    if (!with_ms) return 19;
    int ms3 = in_minute % 1000;
    buf[19] = '.', buf[20] = (char)('0' + ms3 / 100), put_2(buf + 21, ms3 % 100);
    return 23;
}

/* tz_format_utc of t into utc and, unless local is NULL, tz_format_local into local: the same texts, with each
 * day's date and each span's offset found once (the slots of one practitioner share a few dozen of each).
 * Returns the length of utc; *local_len (with local) gets the other. */
static size_t format_times(bk_slot_writer_t *w, int64_t t, char *utc, char *local, size_t *local_len)
{
    int off = tz_offset_cached(&w->offsets, t);
    int64_t wall = t + (int64_t)off * 1000;
    if (t < 0 || wall < 0 || t >= YEAR_10000_MS || wall >= YEAR_10000_MS || off % 60 != 0) {
        if (local != NULL) *local_len = tz_format_local(w->zone, t, local);
        return tz_format_utc(t, utc);
    }
    size_t n = put_wall(t, true, &w->utc_day, w->utc_date, utc);
    utc[n++] = 'Z', utc[n] = '\0';
    if (local == NULL) return n;
    size_t m = put_wall(wall, wall % 1000 != 0, &w->local_day, w->local_date, local);
    int a = off < 0 ? -off : off;
    local[m] = off < 0 ? '-' : '+', put_2(local + m + 1, a / 3600), local[m + 3] = ':';
    put_2(local + m + 4, a / 60 % 60), local[m + 6] = '\0';
    *local_len = m + 6;
    return n;
}

/* The texts of one slot object's fields, in the object's order. */
typedef struct slot_texts {
    char token[BK_SLOT_TOKEN_CAP], utc_start[TZ_ISO_CAP], utc_end[TZ_ISO_CAP], local[TZ_ISO_CAP], spoken[128];
} slot_texts_t;

static void slot_texts(bk_slot_writer_t *w, int64_t start, int64_t end, slot_texts_t *t)
{
    size_t unused;
    bk_slot_token_make_at(&w->token, start, end, t->token);
    format_times(w, start, t->utc_start, t->local, &unused);
    format_times(w, end, t->utc_end, NULL, NULL);
    if (tz_speak_planned(&w->speech, start, t->spoken, sizeof(t->spoken)) < 0) t->spoken[0] = '\0';
}

/* Copies a literal into p at n; returns the new n. */
#define PUT_LITERAL(p, n, text) (memcpy((p) + (n), text, sizeof(text) - 1), (n) + sizeof(text) - 1)

void bk_slot_writer_put(bk_slot_writer_t *w, bk_json_out_t *out, int64_t start, int64_t end)
{
    char spoken[128];
    /* The most one object can take: the id, three times, the spoken text escaped (6 bytes a byte at worst), the
     * keys and quotes, the tail. */
    const size_t worst = BK_SLOT_TOKEN_CAP + 3 * TZ_ISO_CAP + 6 * sizeof(spoken) + 8 + 96 + w->tail_len;
    char *p = bk_json_out_room(out, worst);
    if (p == NULL) return;
    /* The id (base64url and '.') and the times (digits and -:.TZ+) never need escaping: written in place. */
    size_t n = PUT_LITERAL(p, 0, "{\"slot_id\":\"");
    n += bk_slot_token_make_at(&w->token, start, end, p + n);
    n = PUT_LITERAL(p, n, "\",\"start_at\":\"");
    char local[TZ_ISO_CAP];
    size_t local_len = 0;
    n += format_times(w, start, p + n, local, &local_len);
    n = PUT_LITERAL(p, n, "\",\"end_at\":\"");
    n += format_times(w, end, p + n, NULL, NULL);
    n = PUT_LITERAL(p, n, "\",\"start_local\":\"");
    memcpy(p + n, local, local_len);
    n = PUT_LITERAL(p, n + local_len, "\",\"spoken\":");
    if (tz_speak_planned(&w->speech, start, spoken, sizeof(spoken)) < 0) spoken[0] = '\0';
    bk_json_put_string(p, worst, &n, spoken, false); /* fits: worst counts every byte escaped */
    memcpy(p + n, w->tail, w->tail_len);
    bk_json_out_commit(out, n + w->tail_len);
}

json_object *bk_slot_to_json(const bk_render_t *rd, const char *staff_id, const char *treatment_id,
                             const char *location_id, const tz_zone_t *zone, int64_t start, int64_t end, int64_t now)
{
    bk_slot_writer_t w;
    writer_setup(&w, rd, staff_id, treatment_id, location_id, zone, now);
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
