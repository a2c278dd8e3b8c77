/* booking/events.c: event payloads and their recording in the endpoints' Redis streams (see events.h). */
#include "booking/events.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "providers/record_id.h"
#include "store/script.h"
#include "tz/tz.h"
#include "tz/tz_spoken.h"

#define CONTACT_TTL_MS (90LL * 24 * 3600 * 1000)

static const char *const type_names[BK_EVENT__COUNT] = {
    "appointment.created",         "appointment.requested", "appointment.rescheduled", "appointment.cancelled",
    "appointment.request_expired", "patient.created",       "patient.updated",         "appointment.request_declined",
};

const char *bk_event_type_name(bk_event_type_t type)
{
    return (unsigned)type < BK_EVENT__COUNT ? type_names[type] : "unknown";
}

int bk_event_type_parse(const char *name)
{
    for (int i = 0; i < BK_EVENT__COUNT; i++)
        if (strcmp(type_names[i], name) == 0) return i;
    return -1;
}

void bk_webhooks_free(bk_webhooks_t *w)
{
    if (w == NULL) return;
    for (size_t i = 0; i < w->count; i++) {
        free(w->endpoints[i].id);
        free(w->endpoints[i].url);
    }
    free(w->endpoints);
    free(w);
}

bool bk_events_wanted(const bk_tenant_t *tenant, bk_event_type_t type)
{
    const bk_webhooks_t *w = tenant->webhooks;
    for (size_t i = 0; w != NULL && i < w->count; i++)
        if (w->endpoints[i].events & (1u << type)) return true;
    return false;
}

bool bk_events_begin(bk_env_t *env, const bk_tenant_t *tenant, bk_event_type_t type)
{
    return bk_events_wanted(tenant, type) && store_commandf(env->store, NULL, NULL, "MULTI") == 0;
}

typedef struct catalog_wait {
    bk_events_catalog_cb then;
    void *data;
} catalog_wait_t;

static void on_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source, void *data)
{
    catalog_wait_t *w = data;
    w->then(status == PROV_OK ? catalog : NULL, w->data);
    free(w);
}

void bk_events_with_catalog(bk_env_t *env, const bk_tenant_t *tenant, bk_event_type_t type, bk_events_catalog_cb then,
                            void *data)
{
    if (!bk_events_wanted(tenant, type)) {
        then(NULL, data);
        return;
    }
    const bk_catalog_t *known = bk_catalog_peek(env, tenant); /* the usual case: no wait at all */
    if (known != NULL) {
        then(known, data);
        return;
    }
    catalog_wait_t *w = calloc(1, sizeof(*w));
    if (w != NULL) {
        *w = (catalog_wait_t){.then = then, .data = data};
        if (bk_catalog_get(env, tenant, on_catalog, w) == 0) return;
        free(w);
    }
    then(NULL, data);
}

void bk_events_commit(bk_env_t *env)
{
    store_commandf(env->store, NULL, NULL, "EXEC");
}

void bk_events_remember_contact(bk_env_t *env, const bk_tenant_t *tenant, const bk_patient_t *p)
{
    if (p == NULL || p->id == NULL || p->id[0] == '\0' || tenant->webhooks == NULL) return;
    char key[256];
    snprintf(key, sizeof(key), "fd:{%s}:contact:%s", tenant->id, p->id);
    const char *argv[] = {"HSET",       key,
                          "first_name", p->first_name ? p->first_name : "",
                          "last_name",  p->last_name ? p->last_name : "",
                          "email",      p->email ? p->email : "",
                          "phone",      p->phone ? p->phone : ""};
    size_t lens[10];
    for (int i = 0; i < 10; i++) lens[i] = strlen(argv[i]);
    store_command(env->store, NULL, NULL, 10, argv, lens);
    store_commandf(env->store, NULL, NULL, "PEXPIRE %s %lld", key, (long long)CONTACT_TTL_MS);
}

/* ---- payload ------------------------------------------------------------------------------------------------ */

static void add_str(json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v != NULL && v[0] != '\0' ? json_object_new_string(v) : NULL);
}

/* The appointment's fields under `prefix` ("appointment" or "previous_appointment"): ids and names, UTC and local
 * times, the zone and the spoken time, in the names docs/events.md lists. */
static void add_appointment(json_object *d, const char *prefix, const bk_appointment_t *a, const char *zone_id,
                            const bk_event_t *ev, const bk_tenant_t *tenant, tz_speaker_t *speaker)
{
    const bk_catalog_t *c = ev->catalog;
    long s = c != NULL ? bk_catalog_find_staff(c, a->staff_id) : -1;
    long t = c != NULL ? bk_catalog_find_treatment(c, a->treatment_id) : -1;
    long l = c != NULL ? bk_catalog_find_location(c, a->location_id) : -1;
    if ((zone_id == NULL || zone_id[0] == '\0') && l >= 0) zone_id = c->locations[l].time_zone;
    if ((zone_id == NULL || zone_id[0] == '\0')) zone_id = tenant->time_zone;
    const tz_zone_t *zone = zone_id != NULL ? tz_zone_load(zone_id) : NULL;
    if (zone == NULL) zone = tz_zone_fixed(0);
    char key[96], start[TZ_ISO_CAP], end[TZ_ISO_CAP], start_local[TZ_ISO_CAP], end_local[TZ_ISO_CAP];
    char spoken[160] = "", staff_name[256] = "";
    tz_format_utc(a->start, start);
    tz_format_utc(a->end, end);
    tz_format_local(zone, a->start, start_local);
    tz_format_local(zone, a->end, end_local);
    const char *locale = tenant->locale != NULL ? tenant->locale : "en-US";
    /* Never "today" or "tomorrow": the event may be read a day later. */
    if (speaker == NULL ||
        tz_speak(speaker, locale, zone, a->start, tz_now(), TZ_SPEAK_NO_RELATIVE, spoken, sizeof(spoken)) < 0)
        spoken[0] = '\0';
    if (s >= 0) bk_staff_display_name(&c->staff[s], staff_name, sizeof(staff_name));
#define FIELD(suffix, value)                                                                                           \
    do {                                                                                                               \
        snprintf(key, sizeof(key), "%s_%s", prefix, suffix);                                                           \
        add_str(d, key, value);                                                                                        \
    } while (0)
    FIELD("id", a->id);
    FIELD("state", bk_appt_state_name(a->state));
    FIELD("start_time", start);
    FIELD("end_time", end);
    FIELD("start_time_local", start_local);
    FIELD("end_time_local", end_local);
    FIELD("time_zone", tz_zone_id(zone));
    FIELD("spoken_time", spoken);
    FIELD("practitioner_id", a->staff_id);
    FIELD("practitioner_name", staff_name);
    FIELD("type_id", a->treatment_id);
    FIELD("type", t >= 0 ? c->treatments[t].name : NULL);
    FIELD("business_id", a->location_id);
    FIELD("business_name", l >= 0 ? c->locations[l].name : NULL);
#undef FIELD
}

/* The event as JSON text, its data object left open after "patient_id" for the contact fields Redis adds. */
static char *payload_prefix(const bk_env_t *env, const bk_tenant_t *tenant, const bk_event_t *ev, const char *id)
{
    char now[TZ_ISO_CAP];
    tz_format_utc(tz_now(), now);
    json_object *root = json_object_new_object(), *d = json_object_new_object();
    json_object_object_add(root, "id", json_object_new_string(id));
    json_object_object_add(root, "type", json_object_new_string(bk_event_type_name(ev->type)));
    json_object_object_add(root, "timestamp", json_object_new_string(now));
    json_object_object_add(root, "tenant_id", json_object_new_string(tenant->id));
    const char *patient_id = NULL;
    if (ev->appointment != NULL) {
        add_appointment(d, "appointment", ev->appointment, ev->time_zone, ev, tenant, env->speaker);
        if (ev->type == BK_EVENT_APPT_CANCELLED || ev->type == BK_EVENT_APPT_REQUEST_DECLINED) {
            add_str(d, "appointment_cancelled_at", now);
            add_str(d, "appointment_cancellation_reason", ev->reason);
        }
        if (ev->previous != NULL)
            add_appointment(d, "previous_appointment", ev->previous, ev->previous_time_zone, ev, tenant, env->speaker);
        patient_id = ev->appointment->patient_id;
    }
    if (ev->request_id != NULL) {
        char expires[TZ_ISO_CAP];
        add_str(d, "request_id", ev->request_id);
        if (ev->request_expires > 0) tz_format_utc(ev->request_expires, expires);
        add_str(d, "request_expires_at", ev->request_expires > 0 ? expires : NULL);
    }
    if (ev->patient != NULL) patient_id = ev->patient->id;
    add_str(d, "patient_id", patient_id);
    json_object_object_add(root, "data", d);
    size_t len;
    const char *text =
        json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *out = NULL;
    if (text != NULL && len >= 2 && strcmp(text + len - 2, "}}") == 0 && (out = malloc(len - 1)) != NULL) {
        memcpy(out, text, len - 2);
        out[len - 2] = '\0';
    }
    json_object_put(root);
    return out;
}

/* KEYS[1] the patient's contact card. ARGV stream prefix "fd:{t}:wh:", event id, type, order key, payload prefix,
 * then the ids of the endpoints that want it. The payload gets the card's fields and is added to each endpoint's
 * stream; its stream id joins the order list of its key. */
static store_script_t add_script = STORE_SCRIPT(
    "local c = redis.call('HMGET', KEYS[1], 'first_name', 'last_name', 'email', 'phone') "
    "local function s(v) if v and v ~= '' then return cjson.encode(v) end return 'null' end "
    "local body = ARGV[5] .. ',\"firstName\":' .. s(c[1]) .. ',\"lastName\":' .. s(c[2]) .. ',\"email\":' .. "
    "  s(c[3]) .. ',\"phone\":' .. s(c[4]) .. '}}' "
    "for i = 6, #ARGV do "
    "  local st = ARGV[1] .. ARGV[i] "
    "  local sid = redis.call('XADD', st, '*', 'id', ARGV[2], 'type', ARGV[3], 'key', ARGV[4], 'body', body) "
    "  redis.call('RPUSH', st .. ':order:' .. ARGV[4], sid) "
    "end return 1");

int bk_events_add(bk_env_t *env, const bk_tenant_t *tenant, const bk_event_t *ev)
{
    const bk_webhooks_t *w = tenant->webhooks;
    const char *args[5 + BK_WEBHOOK_MAX_ENDPOINTS];
    int nargs = 5;
    for (size_t i = 0; w != NULL && i < w->count; i++)
        if (w->endpoints[i].events & (1u << ev->type)) args[nargs++] = w->endpoints[i].id;
    if (nargs == 5) return 0;
    char id[32];
    if (!prov_record_id("evt_", id, sizeof(id))) return -1;
    char *body = payload_prefix(env, tenant, ev, id);
    if (body == NULL) return -1;
    const char *patient_id = ev->patient != NULL ? ev->patient->id : ev->appointment->patient_id;
    /* Delivery keeps the order of one patient's events (and so of each appointment's). */
    const char *order = patient_id != NULL && patient_id[0] != '\0' ? patient_id
                        : ev->appointment != NULL                   ? ev->appointment->id
                                                                    : id;
    char card[256], prefix[128];
    snprintf(card, sizeof(card), "fd:{%s}:contact:%s", tenant->id, patient_id != NULL ? patient_id : "");
    snprintf(prefix, sizeof(prefix), "fd:{%s}:wh:", tenant->id);
    args[0] = prefix;
    args[1] = id;
    args[2] = bk_event_type_name(ev->type);
    args[3] = order;
    args[4] = body;
    const char *keys[] = {card};
    int rc = store_eval(env->store, &add_script, NULL, NULL, 1, keys, nargs, args, NULL);
    if (rc == 0) fd_mx_event(FD_MX_EVENT_QUEUED, (unsigned)(nargs - 5)); /* one per endpoint */
    free(body);
    return rc;
}
