/* providers/halaxy_changes.c: the changes to one appointment, each a read of the appointment then a JSON merge-patch
 * (application/merge-patch+json) of it:
 *   cancel      the patient participant's status (a modifierExtension) becomes "cancelled", with a description;
 *   delete      the same, for a booking withdrawn after a conflict (Halaxy documents no DELETE);
 *   reschedule  start, end and minutesDuration, and the practitioner role when the practitioner changes.
 * A merge-patch replaces arrays whole, so the participant array is sent back complete with only the change made:
 * that is why the appointment is read first. Which fields Halaxy's update accepts is not captured (an unknown):
 * only the FHIR fields named above are sent. The answer is the patched appointment; when Halaxy answers without
 * one it is read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/halaxy_internal.h"

enum change_kind { CH_CANCEL, CH_DELETE, CH_RESCHEDULE };

typedef struct change {
    halaxy_t *h;
    prov_env_t env;
    enum change_kind kind;
    prov_appointment_cb cb;
    prov_done_cb done;
    void *data;
    char id[HX_ID_CAP], staff[HX_ID_CAP];
    char *reason;
    int64_t start, end;
} change_t;

static void change_free(change_t *c)
{
    free(c->reason);
    free(c);
}

static void answer(change_t *c, prov_status_t st, json_object *res)
{
    if (c->kind == CH_DELETE) {
        c->done(st, c->data);
        change_free(c);
        return;
    }
    bk_appointment_t a = {0};
    if (st == PROV_OK && res != NULL) st = halaxy_appointment_of(c->h, res, &a);
    if (st == PROV_OK && c->kind == CH_CANCEL) a.state = BK_APPT_CANCELLED;
    c->cb(st, st == PROV_OK ? &a : NULL, c->data);
    bk_appointment_clear(&a);
    change_free(c);
}

static void on_read_back(prov_status_t st, json_object *res, void *data)
{
    answer(data, st, res);
}

static void on_patched(prov_status_t st, const prov_http_response_t *r, void *data)
{
    change_t *c = data;
    json_object *root = NULL, *res = NULL;
    if (st == PROV_OK && c->kind != CH_DELETE &&
        prov_halaxy_resource_parse(r->body, r->body_len, "Appointment", &root, &res) != 0) {
        /* No appointment in the answer (a 204, say): read it back. */
        if (halaxy_read_appointment(c->h, &c->env, c->id, on_read_back, c) == 0) return;
        st = PROV_UNAVAILABLE;
    }
    answer(c, st, res);
    json_object_put(root);
}

static json_object *status_extension(const halaxy_t *h, const char *code)
{
    char system[600]; /* "https://au-api.halaxy.com" + "/presets/...": the host of the API, without "/main" */
    size_t bl = strlen(h->base_url);
    int host = bl >= 5 && strcmp(h->base_url + bl - 5, "/main") == 0 ? (int)(bl - 5) : (int)bl;
    snprintf(system, sizeof(system), "%.*s%s", host, h->base_url, PROV_HALAXY_PARTICIPANT_STATUS_SYSTEM);
    json_object *coding = json_object_new_object(), *codings = json_object_new_array(), *cc = json_object_new_object();
    json_object_object_add(coding, "system", json_object_new_string(system));
    json_object_object_add(coding, "code", json_object_new_string(code));
    json_object_array_add(codings, coding);
    json_object_object_add(cc, "coding", codings);
    json_object *ext = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(ext, "url", json_object_new_string(PROV_HALAXY_PARTICIPANT_STATUS_URL));
    json_object_object_add(ext, "valueCodeableConcept", cc);
    json_object_array_add(list, ext);
    return list;
}

static bool actor_is(json_object *part, const char *type)
{
    json_object *actor = NULL, *ref = NULL;
    char id[HX_ID_CAP];
    return json_object_object_get_ex(part, "actor", &actor) && json_object_object_get_ex(actor, "reference", &ref) &&
           prov_halaxy_ref_id(json_object_get_string(ref), type, id, sizeof(id)) == 0;
}

/* The merge-patch of the change, built from the appointment as it is now; NULL when it cannot be made. */
static char *patch_of(change_t *c, json_object *res, prov_status_t *st)
{
    json_object *parts = NULL;
    if (!json_object_object_get_ex(res, "participant", &parts) || !json_object_is_type(parts, json_type_array)) {
        *st = PROV_UPSTREAM;
        return NULL;
    }
    char role[HX_ID_CAP] = "";
    if (c->kind == CH_RESCHEDULE && c->staff[0] != '\0') {
        bk_appointment_t a = {0};
        char old_role[HX_ID_CAP], prac[HX_ID_CAP], org[HX_ID_CAP];
        bool ok = prov_halaxy_appointment_decode(res, &a, old_role) == 0 &&
                  halaxy_role_find(c->h, old_role, prac, org) && halaxy_role_of(c->h, c->staff, org, role);
        bk_appointment_clear(&a);
        if (!ok) {
            *st = PROV_REJECTED; /* the new practitioner does not work at the appointment's clinic */
            return NULL;
        }
    }
    json_object *patch = json_object_new_object(), *out = json_object_new_array();
    size_t n = json_object_array_length(parts);
    for (size_t i = 0; i < n; i++) {
        json_object *part = NULL;
        json_object_deep_copy(json_object_array_get_idx(parts, i), &part, NULL);
        if (part == NULL) continue;
        if (c->kind != CH_RESCHEDULE && actor_is(part, "Patient"))
            json_object_object_add(part, "modifierExtension", status_extension(c->h, "cancelled"));
        if (role[0] != '\0' && actor_is(part, "PractitionerRole"))
            json_object_object_add(part, "actor", halaxy_reference(c->h, "PractitionerRole", role));
        json_object_array_add(out, part);
    }
    json_object_object_add(patch, "participant", out);
    if (c->kind == CH_RESCHEDULE) {
        char s[TZ_ISO_CAP], e[TZ_ISO_CAP];
        halaxy_format_time(c->h, c->start, s);
        halaxy_format_time(c->h, c->end, e);
        json_object_object_add(patch, "start", json_object_new_string(s));
        json_object_object_add(patch, "end", json_object_new_string(e));
        json_object_object_add(patch, "minutesDuration", json_object_new_int((int)((c->end - c->start) / 60000)));
        if (role[0] == '\0') json_object_object_del(patch, "participant"); /* unchanged: not sent */
    } else {
        json_object_object_add(patch, "description", json_object_new_string(c->reason != NULL ? c->reason : "Cancelled"));
    }
    return halaxy_json_body(patch);
}

static void on_current(prov_status_t st, json_object *res, void *data)
{
    change_t *c = data;
    if (st == PROV_OK) {
        char *body = patch_of(c, res, &st), url[HX_URL_CAP];
        int rc = body != NULL && halaxy_url(url, c->h, "/Appointment/%s", c->id)
                     ? halaxy_send(c->h, &c->env, "PATCH", url, body, HX_MERGE_PATCH, true, on_patched, c)
                     : -1;
        free(body);
        if (rc == 0) return;
        if (st == PROV_OK) st = PROV_UNAVAILABLE;
    }
    answer(c, st, NULL);
}

static void on_roles(prov_status_t st, void *data)
{
    change_t *c = data;
    if (st == PROV_OK && halaxy_read_appointment(c->h, &c->env, c->id, on_current, c) == 0) return;
    answer(c, st == PROV_OK ? PROV_UNAVAILABLE : st, NULL);
}

static int start_change(change_t *c, const char *id, const char *reason)
{
    if (!prov_halaxy_valid_id(id)) {
        free(c);
        return -1;
    }
    snprintf(c->id, sizeof(c->id), "%s", id);
    if (reason != NULL) {
        size_t n = strlen(reason) < 500 ? strlen(reason) : 500;
        while (n > 0 && n < strlen(reason) && ((unsigned char)reason[n] & 0xC0) == 0x80) n--;
        c->reason = strndup(reason, n);
    }
    if ((reason != NULL && c->reason == NULL) || halaxy_roles_ensure(c->h, &c->env, on_roles, c) != 0) {
        change_free(c);
        return -1;
    }
    return 0;
}

static change_t *change_new(halaxy_t *h, prov_env_t *env, enum change_kind kind, void *data)
{
    change_t *c = calloc(1, sizeof(*c));
    if (c != NULL) *c = (change_t){.h = h, .env = *env, .kind = kind, .data = data};
    return c;
}

int halaxy_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data)
{
    change_t *c = change_new(instance, env, CH_CANCEL, data);
    if (c == NULL) return -1;
    c->cb = cb;
    return start_change(c, appointment_id, reason != NULL && reason[0] != '\0' ? reason : "Cancelled by phone");
}

int halaxy_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb, void *data)
{
    change_t *c = change_new(instance, env, CH_DELETE, data);
    if (c == NULL) return -1;
    c->done = cb;
    return start_change(c, appointment_id, "Withdrawn: the time was booked twice");
}

int halaxy_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                  int64_t end, const char *staff_id, prov_appointment_cb cb, void *data)
{
    if (end <= start || (staff_id != NULL && !prov_halaxy_valid_id(staff_id))) return -1;
    change_t *c = change_new(instance, env, CH_RESCHEDULE, data);
    if (c == NULL) return -1;
    c->cb = cb;
    c->start = start;
    c->end = end;
    if (staff_id != NULL) snprintf(c->staff, sizeof(c->staff), "%s", staff_id);
    return start_change(c, appointment_id, NULL);
}
