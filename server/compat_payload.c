/* server/compat_payload.c: reading ClinicSync, Nookal-style and GoHighLevel bodies (see compat_payload.h). */
#include "server/compat_payload.h"

#include <stdio.h>
#include <string.h>

#include "booking/holds.h"

srv_compat_family_t srv_compat_family(const srv_request_t *r)
{
    const char *name = r->route_name != NULL ? r->route_name : "";
    if (strncmp(name, "/api/nookal/", 12) == 0) return SRV_COMPAT_NOOKAL;
    if (strncmp(name, "/ghl/", 5) == 0) return SRV_COMPAT_GHL;
    return SRV_COMPAT_CLINICSYNC;
}

/* The names a value may come under, "object.member" or "member" (top level), NULL-terminated. */
static const char *const STAFF[] = {"customData.staff_member",
                                    "customData.staff_member_email",
                                    "customData.staff_member_name",
                                    "customData.practitionerName",
                                    "customData.practitioner_name",
                                    "customData.consultantEmail",
                                    "customData.clinicianEmail",
                                    "staff_member",
                                    NULL};
static const char *const TREATMENT[] = {"customData.treatment_name",
                                        "customData.appt_type_name",
                                        "customData.serviceName",
                                        "customData.serviceCode",
                                        "treatment_name",
                                        NULL};
static const char *const LOCATION[] = {
    "customData.clinic_location_name", "customData.business_name", "customData.locationName",
    "customData.location_name",        "clinic_location_name",     NULL};
static const char *const ROOM[] = {"customData.roomName", "customData.room_name", NULL};
static const char *const DURATION[] = {"customData.appt_type_duration", "customData.apptDuration", NULL};
static const char *const START[] = {"calendar.startTime", "startTime", "apptStart", NULL};
static const char *const END[] = {"calendar.endTime", "endTime", "apptEnd", NULL};
static const char *const ZONE[] = {"calendar.selectedTimezone", "selectedTimezone", "timezone", NULL};
static const char *const APPT_ID[] = {"calendar.appointmentId", "appointmentId", "appointment_id", "apptID", NULL};
static const char *const REASON[] = {"cancelled_reason", "cancellation_note", "customData.cancelled_reason", NULL};
static const char *const FIRST[] = {"first_name", "patientFirstName", "firstName", NULL};
static const char *const LAST[] = {"last_name", "patientLastName", "lastName", NULL};
static const char *const EMAIL[] = {"email", "patientEmail", NULL};
static const char *const PHONE[] = {"phone", "patientMobile", "mobile", NULL};
static const char *const DOB[] = {"date_of_birth", "patientDOB", "dob", "dateOfBirth", NULL};
static const char *const CITY[] = {"city", "patientCity", NULL};
static const char *const STATE[] = {"state", "province", "patientState", NULL};
static const char *const COUNTRY[] = {"country", "patientCountry", NULL};

/* The member at "a.b" or "b" of body, or NULL (also when a is not an object). */
static json_object *member(json_object *body, const char *path)
{
    const char *dot = strchr(path, '.');
    json_object *v = NULL;
    if (dot == NULL) return json_object_object_get_ex(body, path, &v) ? v : NULL;
    char head[64];
    snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
    json_object *o = NULL;
    if (!json_object_object_get_ex(body, head, &o) || !json_object_is_type(o, json_type_object)) return NULL;
    return json_object_object_get_ex(o, dot + 1, &v) ? v : NULL;
}

/* Reads the first present name of `names` into v. False after answering 400. */
static bool read_value(srv_request_t *r, const char *const *names, srv_compat_value_t *v)
{
    v->text[0] = '\0';
    v->field = NULL;
    for (size_t i = 0; names[i] != NULL; i++) {
        json_object *m = member(r->body, names[i]);
        if (m == NULL || json_object_is_type(m, json_type_null)) continue;
        const char *text = NULL;
        char number[32];
        if (json_object_is_type(m, json_type_string)) {
            text = json_object_get_string(m);
        } else if (json_object_is_type(m, json_type_int)) {
            snprintf(number, sizeof(number), "%lld", (long long)json_object_get_int64(m));
            text = number;
        } else if (json_object_is_type(m, json_type_boolean)) {
            continue; /* a flag such as with_notifications is not a value we read */
        } else {
            srv_respond_error(r, API_ERR_INVALID_FIELD, "This field must be text.", names[i]);
            return false;
        }
        if (strlen(text) >= sizeof(v->text)) {
            srv_respond_error(r, API_ERR_INVALID_FIELD, "This field is too long.", names[i]);
            return false;
        }
        /* Surrounding spaces are how form builders pad values; an empty value is an absent one. */
        while (*text == ' ') text++;
        size_t n = strlen(text);
        while (n > 0 && text[n - 1] == ' ') n--;
        if (n == 0) continue;
        memcpy(v->text, text, n);
        v->text[n] = '\0';
        v->field = names[i];
        return true;
    }
    return true;
}

bool srv_compat_read(srv_request_t *r, srv_compat_payload_t *p)
{
    memset(p, 0, sizeof(*p));
    const struct {
        const char *const *names;
        srv_compat_value_t *v;
    } all[] = {{STAFF, &p->staff},   {TREATMENT, &p->treatment}, {LOCATION, &p->location},
               {ROOM, &p->room},     {DURATION, &p->duration},   {START, &p->start},
               {END, &p->end},       {ZONE, &p->time_zone},      {APPT_ID, &p->appointment_id},
               {REASON, &p->reason}, {FIRST, &p->first_name},    {LAST, &p->last_name},
               {EMAIL, &p->email},   {PHONE, &p->phone},         {DOB, &p->dob},
               {CITY, &p->city},     {STATE, &p->state},         {COUNTRY, &p->country}};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (!read_value(r, all[i].names, all[i].v)) return false;
    return true;
}

bool srv_compat_require(srv_request_t *r, const srv_compat_value_t *v, const char *name)
{
    if (v->field != NULL) return true;
    char message[160];
    snprintf(message, sizeof(message), "%s is required.", name);
    srv_respond_error(r, API_ERR_MISSING_FIELD, message, name);
    return false;
}

bool srv_compat_times(srv_request_t *r, const srv_compat_payload_t *p, const tz_zone_t *zone, int64_t *start,
                      int64_t *end, bool *has_end)
{
    if (p->time_zone.field != NULL && (zone = tz_zone_load(p->time_zone.text)) == NULL) {
        srv_respond_error(r, API_ERR_INVALID_TIME_ZONE,
                          "selectedTimezone must be an IANA zone such as "
                          "Australia/Sydney.",
                          p->time_zone.field);
        return false;
    }
    if (!srv_compat_require(r, &p->start, "calendar.startTime")) return false;
    char why[128] = "", message[256];
    const srv_compat_value_t *v[] = {&p->start, &p->end};
    int64_t *out[] = {start, end};
    for (int i = 0; i < 2; i++) {
        if (v[i]->field == NULL) continue;
        if (tz_parse_iso(v[i]->text, strlen(v[i]->text), zone, out[i], why, sizeof(why)) != 0) {
            snprintf(message, sizeof(message), "This must be a date and time such as 2026-04-21T14:30:00Z (%s).", why);
            srv_respond_error(r, API_ERR_INVALID_FIELD, message, v[i]->field);
            return false;
        }
    }
    *has_end = p->end.field != NULL;
    if (*has_end && (*end <= *start || *end - *start > BK_HOLD_MAX_MS)) {
        srv_respond_error(r, API_ERR_INVALID_RANGE, "The appointment must end after it starts, within 24 hours.",
                          p->end.field);
        return false;
    }
    return true;
}
