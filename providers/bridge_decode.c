/* providers/bridge_decode.c: see bridge_decode.h. */
#include "providers/bridge_decode.h"

#include <stdlib.h>
#include <string.h>

#include "core/catalog_json.h"
#include "providers/adapter_util.h"
#include "tz/tz.h"

static json_object *field(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* An id: a string of 1..BRIDGE_ID_CAP-1 printable bytes. */
static bool valid_id(json_object *v)
{
    if (!json_object_is_type(v, json_type_string)) return false;
    int n = json_object_get_string_len(v);
    return n > 0 && n < BRIDGE_ID_CAP && prov_printable(json_object_get_string(v));
}

int bridge_hold_id_decode(json_object *answer, char *out, const char **what)
{
    json_object *v = field(answer, "hold_id");
    if (v == NULL || !valid_id(v)) {
        *what = "hold_id: must be an id (a string of 1..127 printable bytes)";
        return -1;
    }
    memcpy(out, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
    return 0;
}

/* Copies an optional string field: absent or null is NULL; another type fails. */
static int opt_text(json_object *o, const char *key, char **out)
{
    json_object *v = field(o, key);
    *out = NULL;
    if (v == NULL || json_object_is_type(v, json_type_null)) return 0;
    if (!json_object_is_type(v, json_type_string)) return -1;
    if (json_object_get_string_len(v) == 0) return 0;
    return (*out = strdup(json_object_get_string(v))) != NULL ? 0 : -1;
}

static int id_text(json_object *o, const char *key, char **out)
{
    json_object *v = field(o, key);
    *out = NULL;
    if (v == NULL || !valid_id(v)) return -1;
    return (*out = strdup(json_object_get_string(v))) != NULL ? 0 : -1;
}

static int instant(json_object *o, const char *key, int64_t *out)
{
    json_object *v = field(o, key);
    if (v == NULL || !json_object_is_type(v, json_type_string)) return -1;
    return tz_parse_iso(json_object_get_string(v), (size_t)json_object_get_string_len(v), NULL, out, NULL, 0);
}

int bridge_capabilities_decode(json_object *answer, unsigned *caps, const char **what)
{
    static const struct {
        const char *name;
        unsigned bit;
    } flags[] = {{"native_hold", PROV_CAP_NATIVE_HOLD},
                 {"phone_search", PROV_CAP_PHONE_SEARCH},
                 {"conflict_probe", PROV_CAP_CONFLICT_PROBE},
                 {"reschedule", PROV_CAP_NATIVE_RESCHEDULE},
                 {"cancel_reason_required", PROV_CAP_CANCEL_REASON_REQUIRED}};
    json_object *v = field(answer, "contract");
    if (v == NULL || !json_object_is_type(v, json_type_int) || json_object_get_int(v) != 1) {
        *what = "contract: must be 1";
        return -1;
    }
    v = field(answer, "write");
    if (v == NULL || !json_object_is_type(v, json_type_boolean)) {
        *what = "write: must be a boolean";
        return -1;
    }
    unsigned bits = json_object_get_boolean(v) ? 0 : PROV_CAP_NO_WRITE;
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        v = field(answer, flags[i].name);
        if (v == NULL || !json_object_is_type(v, json_type_boolean)) {
            *what = "a capability (native_hold, phone_search, conflict_probe, reschedule, cancel_reason_required) "
                    "is missing or not a boolean";
            return -1;
        }
        if (json_object_get_boolean(v)) bits |= flags[i].bit;
    }
    *caps = bits;
    return 0;
}

int bridge_catalog_decode(json_object *answer, bk_catalog_t **out, const char **what)
{
    bk_catalog_t *c = bk_catalog_from_json(answer);
    *out = NULL;
    if (c == NULL) {
        *what = "catalog: locations, staff and treatments must be arrays of the contract's objects";
        return -1;
    }
    for (size_t i = 0; i < c->location_count; i++)
        if (c->locations[i].time_zone == NULL || tz_zone_load(c->locations[i].time_zone) == NULL) {
            *what = "locations[].time_zone: must be an IANA zone";
            goto fail;
        }
    for (size_t i = 0; i < c->treatment_count; i++)
        if (c->treatments[i].duration_minutes < 1 || c->treatments[i].duration_minutes > 1440) {
            *what = "treatments[].duration_minutes: must be 1..1440";
            goto fail;
        }
    *out = c;
    return 0;
fail:
    bk_catalog_free(c);
    return -1;
}

int bridge_openings_decode(json_object *answer, int minutes, prov_opening_t **out, size_t *count, const char **what)
{
    json_object *list = field(answer, "openings");
    *out = NULL;
    *count = 0;
    if (list == NULL || !json_object_is_type(list, json_type_array)) {
        *what = "openings: must be an array";
        return -1;
    }
    size_t n = json_object_array_length(list);
    if (n == 0) return 0;
    prov_opening_t *v = calloc(n, sizeof(*v));
    if (v == NULL) {
        *what = "out of memory";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(list, i);
        if (!json_object_is_type(o, json_type_object) || instant(o, "start", &v[i].start) != 0 ||
            instant(o, "end", &v[i].end) != 0 || v[i].end - v[i].start < (int64_t)minutes * 60000) {
            *what = "openings[]: start and end must be instants with an offset, at least the treatment apart";
            free(v);
            return -1;
        }
    }
    *count = prov_openings_sort_unique(v, n);
    *out = v;
    return 0;
}

int bridge_patient_decode(json_object *item, bk_patient_t *p, const char **what)
{
    memset(p, 0, sizeof(*p));
    if (!json_object_is_type(item, json_type_object) || id_text(item, "id", &p->id) != 0) {
        *what = "patient.id: must be a non-empty string";
        return -1;
    }
    if (opt_text(item, "first_name", &p->first_name) != 0 || opt_text(item, "last_name", &p->last_name) != 0 ||
        opt_text(item, "phone", &p->phone) != 0 || opt_text(item, "email", &p->email) != 0 ||
        opt_text(item, "dob", &p->dob) != 0 || opt_text(item, "city", &p->city) != 0 ||
        opt_text(item, "state", &p->state) != 0 || opt_text(item, "country", &p->country) != 0) {
        *what = "patient: first_name, last_name, phone, email, dob, city, state, country must be strings or null";
        bk_patient_clear(p);
        return -1;
    }
    return 0;
}

static int state_of(json_object *item, bk_appt_state_t *out)
{
    json_object *v = field(item, "state");
    if (v == NULL || !json_object_is_type(v, json_type_string)) return -1;
    for (int s = BK_APPT_PROVISIONAL; s <= BK_APPT_CANCELLED; s++)
        if (strcmp(json_object_get_string(v), bk_appt_state_name((bk_appt_state_t)s)) == 0) {
            *out = (bk_appt_state_t)s;
            return 0;
        }
    return -1;
}

int bridge_appointment_decode(json_object *item, bk_appointment_t *a, const char **what)
{
    memset(a, 0, sizeof(*a));
    if (!json_object_is_type(item, json_type_object) || id_text(item, "id", &a->id) != 0) {
        *what = "appointment.id: must be a non-empty string";
        return -1;
    }
    if (state_of(item, &a->state) != 0) {
        *what = "appointment.state: must be provisional, booked, arrived, no_show or cancelled";
    } else if (instant(item, "start", &a->start) != 0 || instant(item, "end", &a->end) != 0 || a->end <= a->start) {
        *what = "appointment.start/end: must be instants with an offset, end after start";
    } else if (id_text(item, "patient_id", &a->patient_id) != 0 || id_text(item, "staff_id", &a->staff_id) != 0 ||
               id_text(item, "treatment_id", &a->treatment_id) != 0 ||
               id_text(item, "location_id", &a->location_id) != 0) {
        *what = "appointment: patient_id, staff_id, treatment_id, location_id must be non-empty strings";
    } else {
        return 0;
    }
    bk_appointment_clear(a);
    return -1;
}

typedef int (*item_decode_fn)(json_object *item, void *out, const char **what);
typedef void (*item_clear_fn)(void *item);

/* answer[key], an array, decoded element by element into a new array of `size`-byte elements. */
static int list_decode(json_object *answer, const char *key, size_t size, item_decode_fn decode, item_clear_fn clear,
                       void **out, size_t *count, const char **what)
{
    json_object *arr = field(answer, key);
    *out = NULL;
    *count = 0;
    if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
        *what = strcmp(key, "patients") == 0 ? "patients: must be an array" : "appointments: must be an array";
        return -1;
    }
    size_t n = json_object_array_length(arr);
    char *v = calloc(n + 1, size);
    if (v == NULL) return -2;
    for (size_t i = 0; i < n; i++)
        if (decode(json_object_array_get_idx(arr, i), v + i * size, what) != 0) {
            while (i-- > 0) clear(v + i * size);
            free(v);
            return -1;
        }
    *out = v;
    *count = n;
    return 0;
}

static int patient_item(json_object *item, void *out, const char **what)
{
    return bridge_patient_decode(item, out, what);
}

static void patient_clear(void *p)
{
    bk_patient_clear(p);
}

static int appointment_item(json_object *item, void *out, const char **what)
{
    return bridge_appointment_decode(item, out, what);
}

static void appointment_clear(void *a)
{
    bk_appointment_clear(a);
}

int bridge_patients_decode(json_object *answer, bk_patient_t **out, size_t *count, const char **what)
{
    return list_decode(answer, "patients", sizeof(**out), patient_item, patient_clear, (void **)out, count, what);
}

int bridge_appointments_decode(json_object *answer, bk_appointment_t **out, size_t *count, const char **what)
{
    return list_decode(answer, "appointments", sizeof(**out), appointment_item, appointment_clear, (void **)out, count,
                       what);
}

static void put_opt(json_object *o, const char *key, const char *value)
{
    if (value != NULL && value[0] != '\0') json_object_object_add(o, key, json_object_new_string(value));
}

json_object *bridge_patient_to_json(const bk_patient_t *p)
{
    json_object *o = json_object_new_object();
    if (o == NULL) return NULL;
    put_opt(o, "first_name", p->first_name);
    put_opt(o, "last_name", p->last_name);
    put_opt(o, "phone", p->phone);
    put_opt(o, "email", p->email);
    put_opt(o, "dob", p->dob);
    put_opt(o, "city", p->city);
    put_opt(o, "state", p->state);
    put_opt(o, "country", p->country);
    return o;
}

json_object *bridge_instant_json(int64_t t)
{
    char buf[TZ_ISO_CAP];
    tz_format_utc(t, buf);
    return json_object_new_string(buf);
}

json_object *bridge_appointment_to_json(const bk_appointment_t *a)
{
    json_object *o = json_object_new_object();
    if (o == NULL) return NULL;
    json_object_object_add(o, "start", bridge_instant_json(a->start));
    json_object_object_add(o, "end", bridge_instant_json(a->end));
    put_opt(o, "patient_id", a->patient_id);
    put_opt(o, "staff_id", a->staff_id);
    put_opt(o, "treatment_id", a->treatment_id);
    put_opt(o, "location_id", a->location_id);
    return o;
}

prov_status_t bridge_status_of(long code)
{
    if (code >= 200 && code < 300) return PROV_OK;
    switch (code) {
    case 404:
        return PROV_NOT_FOUND;
    case 409:
        return PROV_CONFLICT;
    case 422:
        return PROV_REJECTED;
    case 429:
        return PROV_RATE_LIMITED;
    default:
        return PROV_UPSTREAM; /* 400, 401 (the signature refused), any 5xx: the EMR's side failed */
    }
}
