/* providers/practicebetter_decode.c: the pure decoders of practicebetter_decode.h. */
#include "providers/practicebetter_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/nookal_decode.h"

bool prov_pb_valid_id(const char *id)
{
    return prov_id_usable(id, PROV_PB_ID_CAP);
}

static const char *get_str(json_object *o, const char *field)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, field, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *get_obj(json_object *o, const char *field)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, field, &v) || !json_object_is_type(v, json_type_object))
        return NULL;
    return v;
}

/* An id field as a string (a number is taken as its decimal text): 0, or -1 when absent or unusable. */
static int get_id(json_object *o, const char *field, char out[PROV_PB_ID_CAP])
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, field, &v)) return -1;
    if (json_object_is_type(v, json_type_int))
        snprintf(out, PROV_PB_ID_CAP, "%lld", (long long)json_object_get_int64(v));
    else if (json_object_is_type(v, json_type_string) && strlen(json_object_get_string(v)) < PROV_PB_ID_CAP)
        snprintf(out, PROV_PB_ID_CAP, "%s", json_object_get_string(v));
    else
        return -1;
    return prov_pb_valid_id(out) ? 0 : -1;
}

/* The id of a linked record: <object>.id, else <flat field>. */
static int linked_id(json_object *item, const char *object, const char *flat, char out[PROV_PB_ID_CAP])
{
    json_object *o = get_obj(item, object);
    if (o != NULL && get_id(o, "id", out) == 0) return 0;
    return get_id(item, flat, out);
}

int prov_pb_page_parse(const char *body, size_t len, const char *alt_key, prov_pb_page_t *out)
{
    memset(out, 0, sizeof(*out));
    json_tokener *tok = json_tokener_new_ex(32);
    if (tok == NULL) return -1;
    json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    bool whole = root != NULL && json_tokener_get_error(tok) == json_tokener_success;
    for (size_t at = whole ? json_tokener_get_parse_end(tok) : len; at < len && whole; at++)
        whole = body[at] == ' ' || body[at] == '\n' || body[at] == '\r' || body[at] == '\t'; /* nothing after it */
    json_tokener_free(tok);
    if (!whole) goto fail;
    out->root = root;
    json_object *items = NULL;
    if (json_object_is_type(root, json_type_array)) {
        items = root;
    } else if (json_object_is_type(root, json_type_object)) {
        if (!json_object_object_get_ex(root, "items", &items) && alt_key != NULL)
            json_object_object_get_ex(root, alt_key, &items);
        json_object *more = NULL;
        if (json_object_object_get_ex(root, "hasMore", &more)) {
            if (!json_object_is_type(more, json_type_boolean)) goto fail;
            out->has_more = json_object_get_boolean(more);
        }
    }
    if (items == NULL || !json_object_is_type(items, json_type_array)) goto fail;
    out->items = items;
    size_t n = json_object_array_length(items);
    if (n > 0 && get_id(json_object_array_get_idx(items, n - 1), "id", out->last_id) != 0) goto fail;
    return 0;
fail:
    json_object_put(root);
    memset(out, 0, sizeof(*out));
    return -1;
}

void prov_pb_page_clear(prov_pb_page_t *page)
{
    json_object_put(page->root);
    memset(page, 0, sizeof(*page));
}

prov_status_t prov_pb_error_status(long code, const char *body, size_t len, bool record)
{
    if (code == 429) return PROV_RATE_LIMITED;
    if (code == 409) return PROV_CONFLICT;
    if (code >= 400 && code < 500 && code != 401 && code != 403 && code != 404 && body != NULL) {
        /* The refusal of a taken time is only known by its text (research: "slot", "unavailable" or
         * "conflict"); compared without regard to case over the first few KiB. */
        char text[4096];
        size_t n = len < sizeof(text) - 1 ? len : sizeof(text) - 1;
        memcpy(text, body, n);
        text[n] = '\0';
        for (size_t i = 0; i < n; i++) text[i] = (char)((text[i] >= 'A' && text[i] <= 'Z') ? text[i] + 32 : text[i]);
        if (strstr(text, "conflict") != NULL || strstr(text, "unavailable") != NULL || strstr(text, "slot") != NULL)
            return PROV_CONFLICT;
    }
    if (code == 404) return record ? PROV_NOT_FOUND : PROV_UPSTREAM;
    if (code == 400 || code == 422) return PROV_REJECTED;
    return PROV_UPSTREAM;
}

int prov_pb_token_decode(const char *body, size_t len, char *token, size_t cap, int64_t *expires_in_s)
{
    json_object *root = NULL;
    if (prov_cliniko_parse_object(body, len, &root) != 0) return -1;
    const char *t = get_str(root, "access_token");
    int rc = -1;
    if (t != NULL && t[0] != '\0' && strlen(t) < cap && strlen(t) < PROV_PB_TOKEN_CAP && strchr(t, ' ') == NULL) {
        bool printable = true;
        for (const char *p = t; *p && printable; p++) printable = *p > 0x20 && *p < 0x7f;
        int64_t exp = 3600;
        json_object *e = NULL;
        if (json_object_object_get_ex(root, "expires_in", &e) && prov_nookal_int(e, &exp) != 0) printable = false;
        if (printable && exp > 0 && exp <= 7 * 24 * 3600) {
            snprintf(token, cap, "%s", t);
            *expires_in_s = exp;
            rc = 0;
        }
    }
    json_object_put(root);
    return rc;
}

/* A field of the item, else of its profile. */
static char *text_of(json_object *item, const char *field)
{
    char *s = prov_nookal_text(item, field);
    return s != NULL ? s : prov_nookal_text(get_obj(item, "profile"), field);
}

int prov_pb_member_decode(json_object *item, bk_staff_t *staff, bool *bookable)
{
    memset(staff, 0, sizeof(*staff));
    char id[PROV_PB_ID_CAP];
    if (!json_object_is_type(item, json_type_object) || get_id(item, "id", id) != 0) return -1;
    if ((staff->id = strdup(id)) == NULL) return -1;
    staff->first_name = text_of(item, "firstName");
    staff->last_name = text_of(item, "lastName");
    staff->email = text_of(item, "emailAddress");
    staff->ai_enabled = true;
    const char *status = get_str(item, "activationStatus");
    json_object *pr = NULL;
    bool practitioner = json_object_object_get_ex(item, "isPractitioner", &pr) &&
                        json_object_is_type(pr, json_type_boolean) && json_object_get_boolean(pr);
    *bookable = practitioner && status != NULL && strcmp(status, "activated") == 0;
    return 0;
}

int prov_pb_client_decode(json_object *item, bk_patient_t *p, bk_strings_t *phones, bool *active)
{
    memset(p, 0, sizeof(*p));
    memset(phones, 0, sizeof(*phones));
    char id[PROV_PB_ID_CAP];
    if (!json_object_is_type(item, json_type_object) || get_id(item, "id", id) != 0) return -1;
    if ((p->id = strdup(id)) == NULL) return -1;
    json_object *profile = get_obj(item, "profile");
    p->first_name = prov_nookal_text(profile, "firstName");
    p->last_name = prov_nookal_text(profile, "lastName");
    p->email = prov_nookal_text(profile, "emailAddress");
    const char *dob = get_str(profile, "dateOfBirth");
    int y, m, d;
    /* "1988-02-14" or an ISO instant whose date part is the birthday. */
    if (dob != NULL && strlen(dob) >= 10) {
        char day[11];
        memcpy(day, dob, 10);
        day[10] = '\0';
        if (prov_nookal_parse_date(day, &y, &m, &d) == 0) p->dob = strdup(day);
    }
    const char *fields[] = {"mobilePhone", "homePhone", "workPhone"};
    for (size_t i = 0; i < 3; i++) {
        const char *ph = get_str(profile, fields[i]);
        if (ph != NULL && ph[0] != '\0' && bk_strings_push(phones, ph) != 0) return -1;
    }
    const char *status = get_str(item, "status");
    *active = status == NULL || strcasecmp(status, "active") == 0;
    return 0;
}

/* An instant field: with an offset or Z, or local in zone. */
static int instant_of(json_object *item, const char *field, const tz_zone_t *zone, int64_t *out)
{
    const char *s = get_str(item, field);
    tz_instant_t t;
    if (s == NULL || tz_parse_iso(s, strlen(s), zone, &t, NULL, 0) != 0) return -1;
    *out = t;
    return 0;
}

int prov_pb_session_decode(json_object *item, const tz_zone_t *zone, const char *location_id, bk_appointment_t *a)
{
    memset(a, 0, sizeof(*a));
    char id[PROV_PB_ID_CAP], client[PROV_PB_ID_CAP], staff[PROV_PB_ID_CAP], service[PROV_PB_ID_CAP];
    int64_t start, end, duration;
    if (!json_object_is_type(item, json_type_object) || get_id(item, "id", id) != 0 ||
        instant_of(item, "sessionDate", zone, &start) != 0 ||
        linked_id(item, "clientRecord", "clientRecordId", client) != 0 ||
        linked_id(item, "consultant", "asConsultantId", staff) != 0)
        return -1;
    if (instant_of(item, "endDate", zone, &end) != 0) {
        json_object *d = NULL;
        if (!json_object_object_get_ex(item, "duration", &d) || prov_nookal_int(d, &duration) != 0 || duration <= 0 ||
            duration > 24 * 3600)
            return -1;
        end = start + duration * 1000;
    }
    if (end <= start) return -1;
    if (linked_id(item, "service", "serviceId", service) != 0) service[0] = '\0';
    json_object *c = NULL;
    bool cancelled = false;
    if (json_object_object_get_ex(item, "cancelled", &c) && prov_nookal_bool(c, &cancelled) != 0) return -1;
    const char *status = get_str(item, "status");
    if (status != NULL && strcasecmp(status, "cancelled") == 0) cancelled = true;
    a->start = start;
    a->end = end;
    a->state = cancelled ? BK_APPT_CANCELLED : BK_APPT_BOOKED;
    a->id = strdup(id);
    a->patient_id = strdup(client);
    a->staff_id = strdup(staff);
    a->treatment_id = strdup(service);
    a->location_id = strdup(location_id);
    if (a->id == NULL || a->patient_id == NULL || a->staff_id == NULL || a->treatment_id == NULL ||
        a->location_id == NULL) {
        bk_appointment_clear(a);
        return -1;
    }
    return 0;
}

int prov_pb_slot_decode(json_object *item, const tz_zone_t *zone, int64_t *start, int64_t *end)
{
    if (!json_object_is_type(item, json_type_object)) return -1;
    if (instant_of(item, "startTime", zone, start) != 0 && instant_of(item, "startDate", zone, start) != 0) return -1;
    if (instant_of(item, "endTime", zone, end) != 0 && instant_of(item, "endDate", zone, end) != 0) return -1;
    return *end > *start ? 0 : -1;
}

int prov_pb_local_wall_time(const tz_zone_t *zone, int64_t t, char out[20])
{
    int y, m, d, minute;
    if (prov_nookal_to_local(zone, t, &y, &m, &d, &minute) != 0) return -1;
    char date[11], time[6];
    prov_nookal_format_local(y, m, d, minute, date, time);
    snprintf(out, 20, "%sT%s:00", date, time);
    return 0;
}
