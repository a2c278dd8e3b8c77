/* providers/nookal_decode.c: the pure decoders of Nookal v2's answers (contracts in nookal_decode.h). The
 * JSON document parser, ID rule, price reader and record clearers are the Cliniko adapter's own pure helpers
 * (cliniko_decode.h), which are not Cliniko-specific. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/cliniko_decode.h"
#include "providers/json_get.h"
#include "providers/nookal_decode.h"
#include "tz/tz_names.h"

/* The member key of o when it is a string, the empty one included (Nookal sends "" for unset fields; callers
 * tell the two apart), else NULL. */
static const char *get_str(json_object *o, const char *key)
{
    json_object *v = prov_json_get(o, key);
    return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* ---- the envelope ---------------------------------------------------------------------------------------- */

static bool has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0) return true;
    return false;
}

static bool has_any(const char *message, const char *const *words)
{
    for (; *words != NULL; words++)
        if (has_ci(message, *words)) return true;
    return false;
}

prov_status_t prov_nookal_failure_status(const char *message, bool record, bool *auth)
{
    static const char *const auth_words[] = {"api key",     "api_key",       "apikey",     "unauthori",
                                             "authenticat", "access denied", "permission", NULL};
    static const char *const rate_words[] = {"too many", "rate limit", "throttl", NULL};
    static const char *const conflict_words[] = {"overlap",       "clash",    "already booked",    "double book",
                                                 "not available", "conflict", "already cancelled", NULL};
    static const char *const missing_words[] = {"not found", "does not exist", "no such", NULL};
    *auth = false;
    if (message == NULL) return PROV_UPSTREAM;
    if (has_any(message, auth_words)) {
        *auth = true;
        return PROV_UPSTREAM;
    }
    if (has_any(message, rate_words)) return PROV_RATE_LIMITED;
    if (has_any(message, conflict_words)) return PROV_CONFLICT;
    bool missing = has_any(message, missing_words) || (strncasecmp(message, "no ", 3) == 0 && has_ci(message, "found"));
    if (!missing && has_ci(message, "invalid")) { /* "Invalid patient ID", "invalid appointment_id" */
        const char *inv = message;
        while (*inv && strncasecmp(inv, "invalid", 7) != 0) inv++;
        missing = has_ci(inv, " id") || has_ci(inv, "_id");
    }
    if (missing) return record ? PROV_NOT_FOUND : PROV_UPSTREAM;
    return PROV_UPSTREAM;
}

int prov_nookal_reply_parse(const char *body, size_t len, bool record, prov_nookal_reply_t *out)
{
    memset(out, 0, sizeof(*out));
    if (prov_cliniko_parse_object(body, len, &out->root) != 0) return -1;
    const char *status = get_str(out->root, "status");
    if (status == NULL) goto bad;
    if (strcasecmp(status, "success") == 0) {
        out->success = true;
        out->results = prov_json_get(prov_json_get(out->root, "data"), "results");
        if (out->results == NULL || !json_object_is_type(out->results, json_type_object)) goto bad;
        int64_t next = 0;
        if (prov_nookal_int(prov_json_get(prov_json_get(out->root, "settings"), "nextPage"), &next) == 0 && next > 0 && next < 100000)
            out->next_page = (int)next;
        return 0;
    }
    if (strcasecmp(status, "failure") != 0) goto bad;
    json_object *details = prov_json_get(out->root, "details");
    const char *message = get_str(details, "errorMessage");
    out->failure = prov_nookal_failure_status(message, record, &out->auth_failure);
    const char *code = get_str(details, "errorCode");
    if (code != NULL && strlen(code) < sizeof(out->error_code)) {
        for (size_t i = 0; code[i]; i++)
            out->error_code[i] = isalnum((unsigned char)code[i]) || code[i] == '_' || code[i] == '-' ? code[i] : '?';
    }
    return 0;
bad:
    prov_nookal_reply_clear(out);
    return -1;
}

void prov_nookal_reply_clear(prov_nookal_reply_t *reply)
{
    json_object_put(reply->root);
    memset(reply, 0, sizeof(*reply));
}

json_object *prov_nookal_results_array(const prov_nookal_reply_t *reply, const char *key)
{
    json_object *v = prov_json_get(reply->results, key);
    return v != NULL && json_object_is_type(v, json_type_array) ? v : NULL;
}

/* ---- loose scalars --------------------------------------------------------------------------------------- */

int prov_nookal_id(json_object *value, char *out, size_t cap)
{
    return prov_cliniko_id(value, out, cap < PROV_NOOKAL_ID_CAP ? cap : PROV_NOOKAL_ID_CAP);
}

int prov_nookal_bool(json_object *value, bool *out)
{
    if (value == NULL) return -1;
    if (json_object_is_type(value, json_type_boolean)) {
        *out = json_object_get_boolean(value);
        return 0;
    }
    if (json_object_is_type(value, json_type_int)) {
        int64_t v = json_object_get_int64(value);
        if (v != 0 && v != 1) return -1;
        *out = v == 1;
        return 0;
    }
    if (!json_object_is_type(value, json_type_string)) return -1;
    const char *s = json_object_get_string(value);
    static const char *const yes[] = {"1", "true", "yes", NULL}, *const no[] = {"0", "false", "no", NULL};
    for (size_t i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(s, yes[i]) == 0) return (*out = true), 0;
        if (strcasecmp(s, no[i]) == 0) return (*out = false), 0;
    }
    return -1;
}

int prov_nookal_int(json_object *value, int64_t *out)
{
    if (value == NULL) return -1;
    if (json_object_is_type(value, json_type_int)) {
        *out = json_object_get_int64(value);
        return 0;
    }
    if (!json_object_is_type(value, json_type_string)) return -1;
    const char *s = json_object_get_string(value);
    while (*s == ' ') s++;
    int64_t v = 0;
    int digits = 0;
    bool neg = *s == '-';
    if (neg) s++;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (digits >= 15) return -1;
        v = v * 10 + (*s - '0');
    }
    while (*s == ' ') s++;
    if (digits == 0 || *s != '\0') return -1;
    *out = neg ? -v : v;
    return 0;
}

char *prov_nookal_text(json_object *object, const char *field)
{
    const char *s = get_str(object, field);
    if (s == NULL || s[0] == '\0') return NULL;
    size_t n = strnlen(s, 512);
    while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* cut on a UTF-8 boundary */
    char *c = malloc(n + 1);
    if (c == NULL) return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* ---- local time ------------------------------------------------------------------------------------------ */

static int two_digits(const char *s)
{
    return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

int prov_nookal_parse_date(const char *s, int *year, int *month, int *day)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    int hi = two_digits(s), lo = two_digits(s + 2), m = two_digits(s + 5), d = two_digits(s + 8);
    if (hi < 0 || lo < 0 || m < 0 || d < 0) return -1;
    int y = hi * 100 + lo;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > tz_days_in_month(y, m)) return -1;
    *year = y, *month = m, *day = d;
    return 0;
}

int prov_nookal_parse_time(const char *s, int *minute_of_day)
{
    if (s == NULL) return -1;
    size_t n = strlen(s);
    if ((n != 5 && n != 8) || s[2] != ':' || (n == 8 && (s[5] != ':' || two_digits(s + 6) != 0))) return -1;
    int h = two_digits(s), m = two_digits(s + 3);
    if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
    *minute_of_day = h * 60 + m;
    return 0;
}

int prov_nookal_from_local(const tz_zone_t *zone, int year, int month, int day, int minute_of_day, int64_t *out)
{
    if (minute_of_day < 0 || minute_of_day >= 1440) return -1;
    tz_civil_t c = {year, month, day, minute_of_day / 60, minute_of_day % 60, 0, 0};
    tz_local_kind_t kind;
    if (tz_from_local(zone, &c, TZ_OVERLAP_FIRST, out, &kind) != 0) return -1;
    return kind == TZ_LOCAL_GAP_SHIFTED ? -1 : 0;
}

int prov_nookal_to_local(const tz_zone_t *zone, int64_t t, int *year, int *month, int *day, int *minute_of_day)
{
    if (t % TZ_MS_PER_MINUTE != 0) return -1;
    tz_civil_t c;
    tz_to_local(zone, t, &c, NULL);
    int minute = c.hour * 60 + c.minute;
    int64_t back;
    if (prov_nookal_from_local(zone, c.year, c.month, c.day, minute, &back) != 0 || back != t) return -1;
    *year = c.year, *month = c.month, *day = c.day, *minute_of_day = minute;
    return 0;
}

void prov_nookal_format_local(int year, int month, int day, int minute_of_day, char date[11], char time[6])
{
    unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u, d = (unsigned)day % 100u;
    unsigned h = (unsigned)minute_of_day / 60u % 100u, mi = (unsigned)minute_of_day % 60u;
    snprintf(date, 11, "%04u-%02u-%02u", y, m, d);
    snprintf(time, 6, "%02u:%02u", h, mi);
}

/* ---- records --------------------------------------------------------------------------------------------- */

static void strings_clear(bk_strings_t *l)
{
    for (size_t i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* Pushes every ID of a list ([1, "2"]) or a comma-separated string ("1,2") into out. Returns 0 or -1. */
static int push_ids(json_object *v, bk_strings_t *out)
{
    char id[PROV_NOOKAL_ID_CAP];
    if (v == NULL || json_object_is_type(v, json_type_null)) return 0;
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (prov_nookal_id(json_object_array_get_idx(v, i), id, sizeof(id)) != 0) return -1;
            if (!bk_strings_contains(out, id) && bk_strings_push(out, id) != 0) return -1;
        }
        return 0;
    }
    if (json_object_is_type(v, json_type_int)) {
        if (prov_nookal_id(v, id, sizeof(id)) != 0) return -1;
        return bk_strings_push(out, id);
    }
    if (!json_object_is_type(v, json_type_string)) return -1;
    const char *s = json_object_get_string(v);
    while (*s) {
        while (*s == ' ' || *s == ',') s++;
        size_t n = strcspn(s, ", ");
        if (n == 0) break;
        json_object *one = json_object_new_string_len(s, (int)n);
        int rc = one != NULL ? prov_nookal_id(one, id, sizeof(id)) : -1;
        json_object_put(one);
        if (rc != 0 || (!bk_strings_contains(out, id) && bk_strings_push(out, id) != 0)) return -1;
        s += n;
    }
    return 0;
}

static void location_clear(bk_location_t *l)
{
    free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
    free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
    memset(l, 0, sizeof(*l));
}

int prov_nookal_location_decode(json_object *item, bk_location_t *loc)
{
    memset(loc, 0, sizeof(*loc));
    char id[PROV_NOOKAL_ID_CAP];
    if (prov_nookal_id(prov_json_get(item, "ID"), id, sizeof(id)) != 0 || (loc->id = strdup(id)) == NULL) return -1;
    loc->name = prov_nookal_text(item, "Name");
    loc->line1 = prov_nookal_text(item, "AddressLine1");
    loc->city = prov_nookal_text(item, "City");
    loc->region = prov_nookal_text(item, "State");
    loc->postal_code = prov_nookal_text(item, "Postcode");
    loc->country = prov_nookal_text(item, "Country");
    loc->phone = prov_nookal_text(item, "Telephone");
    const char *zone = get_str(item, "Timezone");
    tz_resolution_t res;
    if (zone != NULL && zone[0] != '\0' && tz_resolve(zone, strlen(zone), NULL, &res, NULL, 0) == 0 &&
        (loc->time_zone = strdup(res.id)) == NULL) {
        location_clear(loc);
        return -1;
    }
    return 0;
}

int prov_nookal_practitioner_decode(json_object *item, bk_staff_t *s, bool *active)
{
    memset(s, 0, sizeof(*s));
    char id[PROV_NOOKAL_ID_CAP];
    if (prov_nookal_id(prov_json_get(item, "ID"), id, sizeof(id)) != 0 || (s->id = strdup(id)) == NULL) return -1;
    s->first_name = prov_nookal_text(item, "FirstName");
    s->last_name = prov_nookal_text(item, "LastName");
    s->title = prov_nookal_text(item, "Title");
    s->email = prov_nookal_text(item, "Email");
    const char *speciality = get_str(item, "Speciality");
    bool shown = true;
    s->ai_enabled = prov_nookal_bool(prov_json_get(item, "ShowInDiary"), &shown) != 0 || shown;
    *active = true;
    json_object *status = prov_json_get(item, "status");
    bool on;
    if (prov_nookal_bool(status, &on) == 0)
        *active = on;
    else if (status != NULL && json_object_is_type(status, json_type_string))
        *active = strcasecmp(json_object_get_string(status), "inactive") != 0;
    if ((speciality != NULL && speciality[0] != '\0' && bk_strings_push(&s->disciplines, speciality) != 0) ||
        push_ids(prov_json_get(item, "locations"), &s->location_ids) != 0) {
        prov_cliniko_staff_clear(s);
        return -1;
    }
    return 0;
}

int prov_nookal_service_decode(json_object *item, bk_catalog_treatment_t *t)
{
    memset(t, 0, sizeof(*t));
    char id[PROV_NOOKAL_ID_CAP];
    int64_t duration = 0;
    if (prov_nookal_id(prov_json_get(item, "ID"), id, sizeof(id)) != 0 || prov_nookal_int(prov_json_get(item, "Duration"), &duration) ||
        duration < 1 || duration > 1440 || (t->id = strdup(id)) == NULL)
        return -1;
    t->name = prov_nookal_text(item, "Name");
    t->duration_minutes = (int)duration;
    int64_t price = 0;
    if (prov_cliniko_price_minor(prov_json_get(item, "Price"), &price) == 0) t->price_minor = price;
    if (push_ids(prov_json_get(item, "Locations"), &t->location_ids) != 0) {
        prov_cliniko_treatment_clear(t);
        return -1;
    }
    return 0;
}

int prov_nookal_patient_decode(json_object *item, bk_patient_t *p, bk_strings_t *phones, bool *active)
{
    memset(p, 0, sizeof(*p));
    memset(phones, 0, sizeof(*phones));
    char id[PROV_NOOKAL_ID_CAP];
    if (prov_nookal_id(prov_json_get(item, "ID"), id, sizeof(id)) != 0 || (p->id = strdup(id)) == NULL) return -1;
    p->first_name = prov_nookal_text(item, "FirstName");
    p->last_name = prov_nookal_text(item, "LastName");
    p->email = prov_nookal_text(item, "Email");
    const char *dob = get_str(item, "DOB");
    int y, m, d;
    if (dob != NULL && prov_nookal_parse_date(dob, &y, &m, &d) == 0) p->dob = strdup(dob);
    bool on = true, deceased = false;
    *active = (prov_nookal_bool(prov_json_get(item, "active"), &on) != 0 || on) &&
              !(prov_nookal_bool(prov_json_get(item, "deceased"), &deceased) == 0 && deceased);
    static const char *const fields[] = {"Mobile", "Home", "Work"};
    for (size_t i = 0; i < 3; i++) {
        const char *num = get_str(item, fields[i]);
        if (num != NULL && num[0] != '\0' && strlen(num) < 64 && bk_strings_push(phones, num) != 0) {
            bk_patient_clear(p);
            strings_clear(phones);
            return -1;
        }
    }
    return 0;
}

int prov_nookal_appointment_location(json_object *item, char *out, size_t cap)
{
    return prov_nookal_id(prov_json_get(item, "locationID"), out, cap);
}

int prov_nookal_appointment_decode(json_object *item, const tz_zone_t *zone, bk_appointment_t *a)
{
    memset(a, 0, sizeof(*a));
    char id[PROV_NOOKAL_ID_CAP], patient[PROV_NOOKAL_ID_CAP], staff[PROV_NOOKAL_ID_CAP], type[PROV_NOOKAL_ID_CAP],
        loc[PROV_NOOKAL_ID_CAP];
    int y, m, d, from, to;
    if (prov_nookal_id(prov_json_get(item, "ID"), id, sizeof(id)) != 0 ||
        prov_nookal_id(prov_json_get(item, "patientID"), patient, sizeof(patient)) != 0 ||
        prov_nookal_id(prov_json_get(item, "practitionerID"), staff, sizeof(staff)) != 0 ||
        prov_nookal_id(prov_json_get(item, "locationID"), loc, sizeof(loc)) != 0 ||
        prov_nookal_parse_date(get_str(item, "appointmentDate"), &y, &m, &d) != 0 ||
        prov_nookal_parse_time(get_str(item, "appointmentStartTime"), &from) != 0 ||
        prov_nookal_parse_time(get_str(item, "appointmentEndTime"), &to) != 0 || to <= from ||
        prov_nookal_from_local(zone, y, m, d, from, &a->start) != 0)
        return -1;
    /* The end is the start plus the local duration: an appointment across a DST change lasts what it says. */
    a->end = a->start + (int64_t)(to - from) * TZ_MS_PER_MINUTE;
    if (prov_nookal_id(prov_json_get(item, "appointmentTypeID"), type, sizeof(type)) != 0) type[0] = '\0';
    bool flag = false;
    a->state = BK_APPT_BOOKED;
    if (prov_nookal_bool(prov_json_get(item, "arrived"), &flag) == 0 && flag) a->state = BK_APPT_ARRIVED;
    if (prov_nookal_bool(prov_json_get(item, "DNA"), &flag) == 0 && flag) a->state = BK_APPT_NO_SHOW;
    if (prov_nookal_bool(prov_json_get(item, "cancelled"), &flag) == 0 && flag) a->state = BK_APPT_CANCELLED;
    a->id = strdup(id);
    a->patient_id = strdup(patient);
    a->staff_id = strdup(staff);
    a->location_id = strdup(loc);
    a->treatment_id = type[0] ? strdup(type) : NULL;
    if (a->id == NULL || a->patient_id == NULL || a->staff_id == NULL || a->location_id == NULL ||
        (type[0] && a->treatment_id == NULL)) {
        bk_appointment_clear(a);
        return -1;
    }
    return 0;
}

/* One item of a free period: start/end under either naming; `date` from the item unless given. */
static int free_item(json_object *item, const char *date, prov_nookal_free_t *out)
{
    const char *start = get_str(item, "start_time"), *end = get_str(item, "end_time");
    if (start == NULL) start = get_str(item, "start");
    if (end == NULL) end = get_str(item, "end");
    if (date == NULL) date = get_str(item, "date");
    if (prov_nookal_parse_date(date, &out->year, &out->month, &out->day) != 0 ||
        prov_nookal_parse_time(start, &out->start_minute) != 0 || prov_nookal_parse_time(end, &out->end_minute) != 0 ||
        out->end_minute <= out->start_minute)
        return -1;
    return 0;
}

long prov_nookal_free_decode(const prov_nookal_reply_t *reply, prov_nookal_free_t *out, size_t cap)
{
    json_object *v = prov_json_get(reply->results, "availabilities");
    size_t n = 0;
    if (v == NULL || json_object_is_type(v, json_type_null)) return 0;
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v) && n < cap; i++)
            if (free_item(json_object_array_get_idx(v, i), NULL, &out[n++]) != 0) return -1;
        return (long)n;
    }
    if (!json_object_is_type(v, json_type_object)) return -1;
    json_object_object_foreach(v, date, periods)
    {
        if (json_object_is_type(periods, json_type_null)) continue;
        if (!json_object_is_type(periods, json_type_array)) return -1;
        for (size_t i = 0; i < json_object_array_length(periods) && n < cap; i++)
            if (free_item(json_object_array_get_idx(periods, i), date, &out[n++]) != 0) return -1;
    }
    return (long)n;
}

size_t prov_nookal_split_free(const tz_zone_t *zone, const prov_nookal_free_t *f, int duration_minutes,
                              prov_opening_t *out, size_t cap)
{
    if (duration_minutes < 1) return 0;
    /* The period's ends as instants: an end in a DST gap is where the clock resumes (tz_from_local's shift),
     * an end in an overlap its first occurrence; 24:00 is the next day's start. */
    tz_civil_t a = {f->year, f->month, f->day, f->start_minute / 60, f->start_minute % 60, 0, 0};
    int64_t from, to;
    if (tz_from_local(zone, &a, TZ_OVERLAP_FIRST, &from, NULL) != 0) return 0;
    if (f->end_minute >= 1440) {
        if (tz_day_end(zone, f->year, f->month, f->day, &to) != 0) return 0;
    } else {
        tz_civil_t b = {f->year, f->month, f->day, f->end_minute / 60, f->end_minute % 60, 0, 0};
        if (tz_from_local(zone, &b, TZ_OVERLAP_FIRST, &to, NULL) != 0) return 0;
    }
    int64_t step = (int64_t)duration_minutes * TZ_MS_PER_MINUTE;
    size_t n = 0;
    int y, m, d, minute;
    for (int64_t t = from; t + step <= to && n < cap; t += step)
        if (prov_nookal_to_local(zone, t, &y, &m, &d, &minute) == 0) out[n++] = (prov_opening_t){t, t + step};
    return n;
}
