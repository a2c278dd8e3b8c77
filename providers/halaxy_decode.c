/* providers/halaxy_decode.c: pure decoders of Halaxy's FHIR R4 JSON into the normalized model, and the adapter's
 * pure rules (references, OperationOutcome -> provider status, the token answer). See halaxy_decode.h. The JSON
 * parser with its depth bound is the Cliniko decoder's (prov_cliniko_parse_object), and the generic clears of
 * staff and treatments are reused from there too. */
#include "providers/halaxy_decode.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/cliniko_decode.h"
#include "providers/json_get.h"
#include "tz/tz.h"

#define MAX_ENTRIES 1000

static json_object *get_array(json_object *o, const char *key)
{
    json_object *v = prov_json_get(o, key);
    return v != NULL && json_object_is_type(v, json_type_array) ? v : NULL;
}

static bool is_type(json_object *o, const char *type)
{
    const char *t = prov_json_get_str(o, "resourceType");
    return t != NULL && strcmp(t, type) == 0;
}

#define dup_text prov_cliniko_dup_text /* PROV_HALAXY_TEXT_CAP is the same 512 bytes */

bool prov_halaxy_valid_id(const char *id)
{
    if (id == NULL) return false;
    size_t n = strlen(id);
    if (n == 0 || n >= PROV_HALAXY_ID_CAP) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '_' && id[i] != '-') return false;
    return true;
}

static int copy_id(const char *s, size_t n, char *out, size_t cap)
{
    if (n == 0 || n >= cap || n >= PROV_HALAXY_ID_CAP) return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return prov_halaxy_valid_id(out) ? 0 : -1;
}

static int resource_id(json_object *r, char *out, size_t cap)
{
    const char *id = prov_json_get_str(r, "id");
    return id != NULL ? copy_id(id, strlen(id), out, cap) : -1;
}

/* ---- documents ---------------------------------------------------------------------------------------------- */

int prov_halaxy_bundle_parse(const char *body, size_t len, prov_halaxy_bundle_t *b)
{
    memset(b, 0, sizeof(*b));
    if (prov_cliniko_parse_object(body, len, &b->root) != 0) return -1;
    if (!is_type(b->root, "Bundle")) goto bad;
    json_object *entries = prov_json_get(b->root, "entry");
    size_t n = 0;
    if (entries != NULL) {
        if (!json_object_is_type(entries, json_type_array)) goto bad;
        n = json_object_array_length(entries);
        if (n > MAX_ENTRIES) goto bad;
    }
    if (n > 0 && (b->resources = calloc(n, sizeof(*b->resources))) == NULL) goto bad;
    for (size_t i = 0; i < n; i++) {
        json_object *res = prov_json_get(json_object_array_get_idx(entries, i), "resource");
        if (res == NULL || !json_object_is_type(res, json_type_object)) goto bad;
        b->resources[b->count++] = res;
    }
    json_object *links = get_array(b->root, "link");
    for (size_t i = 0; links != NULL && i < json_object_array_length(links); i++) {
        json_object *l = json_object_array_get_idx(links, i);
        const char *rel = prov_json_get_str(l, "relation"), *url = prov_json_get_str(l, "url");
        if (rel != NULL && url != NULL && strcmp(rel, "next") == 0 && strlen(url) < sizeof(b->next))
            snprintf(b->next, sizeof(b->next), "%s", url);
    }
    return 0;
bad:
    prov_halaxy_bundle_clear(b);
    return -1;
}

void prov_halaxy_bundle_clear(prov_halaxy_bundle_t *b)
{
    json_object_put(b->root);
    free(b->resources);
    memset(b, 0, sizeof(*b));
}

int prov_halaxy_resource_parse(const char *body, size_t len, const char *type, json_object **root,
                               json_object **resource)
{
    *root = *resource = NULL;
    json_object *o;
    if (prov_cliniko_parse_object(body, len, &o) != 0) return -1;
    json_object *found = NULL;
    if (is_type(o, type)) {
        found = o;
    } else if (is_type(o, "Bundle") || is_type(o, "Parameters")) {
        json_object *list = get_array(o, is_type(o, "Bundle") ? "entry" : "parameter");
        for (size_t i = 0; list != NULL && i < json_object_array_length(list) && found == NULL; i++) {
            json_object *r = prov_json_get(json_object_array_get_idx(list, i), "resource");
            if (is_type(r, type)) found = r;
        }
    }
    if (found == NULL) {
        json_object_put(o);
        return -1;
    }
    *root = o;
    *resource = found;
    return 0;
}

/* ---- references ----------------------------------------------------------------------------------------------- */

int prov_halaxy_ref_id(const char *ref, const char *type, char *out, size_t cap)
{
    if (ref == NULL || type == NULL) return -1;
    size_t n = strlen(ref), tl = strlen(type);
    if (n >= PROV_HALAXY_URL_CAP) return -1;
    const char *hist = strstr(ref, "/_history/");
    if (hist != NULL) n = (size_t)(hist - ref);
    const char *slash = NULL;
    for (size_t i = n; i > 0; i--)
        if (ref[i - 1] == '/') {
            slash = ref + i - 1;
            break;
        }
    if (slash == NULL) return -1;
    size_t seg_start = (size_t)(slash - ref); /* the type segment ends at slash */
    if (seg_start < tl || strncmp(ref + seg_start - tl, type, tl) != 0) return -1;
    if (seg_start > tl && ref[seg_start - tl - 1] != '/') return -1;
    return copy_id(slash + 1, n - seg_start - 1, out, cap);
}

/* The ID of the reference held by o.reference (o.actor and friends). */
static int reference_id(json_object *o, const char *type, char *out, size_t cap)
{
    return prov_halaxy_ref_id(prov_json_get_str(o, "reference"), type, out, cap);
}

/* ---- records -------------------------------------------------------------------------------------------------- */

void prov_halaxy_location_clear(bk_location_t *l)
{
    free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
    free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
    memset(l, 0, sizeof(*l));
}

static const char *telecom_value(json_object *r, const char *system1, const char *system2)
{
    json_object *tel = get_array(r, "telecom");
    for (size_t i = 0; tel != NULL && i < json_object_array_length(tel); i++) {
        json_object *t = json_object_array_get_idx(tel, i);
        const char *sys = prov_json_get_str(t, "system"), *v = prov_json_get_str(t, "value");
        if (sys != NULL && v != NULL && (strcmp(sys, system1) == 0 || (system2 && strcmp(sys, system2) == 0)))
            return v;
    }
    return NULL;
}

static bool active_of(json_object *r)
{
    json_object *a = prov_json_get(r, "active");
    return a == NULL || !json_object_is_type(a, json_type_boolean) || json_object_get_boolean(a);
}

int prov_halaxy_organization_decode(json_object *r, bk_location_t *loc, bool *clinic)
{
    memset(loc, 0, sizeof(*loc));
    char id[PROV_HALAXY_ID_CAP];
    if (!is_type(r, "Organization") || resource_id(r, id, sizeof(id)) != 0) return -1;
    *clinic = strncmp(id, "CL-", 3) == 0 && active_of(r);
    bool oom = false;
    loc->id = dup_text(id, &oom);
    loc->name = dup_text(prov_json_get_str(r, "name") ? prov_json_get_str(r, "name") : id, &oom);
    json_object *addrs = get_array(r, "address");
    json_object *a = addrs != NULL ? json_object_array_get_idx(addrs, 0) : NULL;
    json_object *lines = get_array(a, "line");
    json_object *l0 = lines != NULL ? json_object_array_get_idx(lines, 0) : NULL;
    if (l0 != NULL && json_object_is_type(l0, json_type_string)) loc->line1 = dup_text(json_object_get_string(l0), &oom);
    loc->city = dup_text(prov_json_get_str(a, "city"), &oom);
    loc->region = dup_text(prov_json_get_str(a, "state"), &oom);
    loc->postal_code = dup_text(prov_json_get_str(a, "postalCode"), &oom);
    loc->country = dup_text(prov_json_get_str(a, "country"), &oom);
    loc->phone = dup_text(telecom_value(r, "phone", NULL), &oom);
    if (oom) {
        prov_halaxy_location_clear(loc);
        return -1;
    }
    return 0;
}

/* The first HumanName of r: given[0], family, prefix[0] (borrowed). */
static void human_name(json_object *r, const char **given, const char **family, const char **prefix)
{
    *given = *family = *prefix = NULL;
    json_object *names = get_array(r, "name");
    json_object *n = names != NULL ? json_object_array_get_idx(names, 0) : NULL;
    json_object *g = get_array(n, "given"), *p = get_array(n, "prefix");
    json_object *g0 = g != NULL ? json_object_array_get_idx(g, 0) : NULL;
    json_object *p0 = p != NULL ? json_object_array_get_idx(p, 0) : NULL;
    if (g0 != NULL && json_object_is_type(g0, json_type_string)) *given = json_object_get_string(g0);
    if (p0 != NULL && json_object_is_type(p0, json_type_string)) *prefix = json_object_get_string(p0);
    *family = prov_json_get_str(n, "family");
}

int prov_halaxy_practitioner_decode(json_object *r, bk_staff_t *s, bool *active)
{
    memset(s, 0, sizeof(*s));
    char id[PROV_HALAXY_ID_CAP];
    if (!is_type(r, "Practitioner") || resource_id(r, id, sizeof(id)) != 0) return -1;
    const char *given, *family, *prefix;
    human_name(r, &given, &family, &prefix);
    bool oom = false;
    s->id = dup_text(id, &oom);
    s->first_name = dup_text(given, &oom);
    s->last_name = dup_text(family, &oom);
    s->title = dup_text(prefix, &oom);
    s->ai_enabled = true;
    *active = active_of(r);
    if (oom) {
        prov_cliniko_staff_clear(s);
        return -1;
    }
    return 0;
}

int prov_halaxy_role_decode(json_object *r, prov_halaxy_role_t *role)
{
    memset(role, 0, sizeof(*role));
    if (!is_type(r, "PractitionerRole") || resource_id(r, role->id, sizeof(role->id)) != 0 ||
        reference_id(prov_json_get(r, "practitioner"), "Practitioner", role->practitioner, sizeof(role->practitioner)) != 0 ||
        reference_id(prov_json_get(r, "organization"), "Organization", role->organization, sizeof(role->organization)) != 0)
        return -1;
    role->active = active_of(r);
    json_object *svc = get_array(r, "healthcareService");
    for (size_t i = 0; svc != NULL && i < json_object_array_length(svc); i++) {
        char id[PROV_HALAXY_ID_CAP];
        if (reference_id(json_object_array_get_idx(svc, i), "HealthcareService", id, sizeof(id)) != 0) continue;
        if (!bk_strings_contains(&role->services, id) && bk_strings_push(&role->services, id) != 0) {
            prov_halaxy_role_clear(role);
            return -1;
        }
    }
    return 0;
}

void prov_halaxy_role_clear(prov_halaxy_role_t *role)
{
    for (size_t i = 0; i < role->services.count; i++) free(role->services.items[i]);
    free(role->services.items);
    memset(role, 0, sizeof(*role));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int prov_halaxy_service_decode(json_object *r, bk_catalog_treatment_t *t, bool *bookable)
{
    memset(t, 0, sizeof(*t));
    char id[PROV_HALAXY_ID_CAP];
    const char *name = prov_json_get_str(r, "name");
    if (!is_type(r, "HealthcareService") || resource_id(r, id, sizeof(id)) != 0 || name == NULL) return -1;
    int minutes = 0;
    bool online = true; /* no allow-online-booking extension: the clinic has not restricted it */
    json_object *ext = get_array(r, "extension");
    for (size_t i = 0; ext != NULL && i < json_object_array_length(ext); i++) {
        json_object *e = json_object_array_get_idx(ext, i);
        const char *url = prov_json_get_str(e, "url");
        json_object *q = prov_json_get(e, "valueQuantity"), *b = prov_json_get(e, "valueBoolean");
        const char *unit = prov_json_get_str(q, "unit");
        json_object *v = prov_json_get(q, "value");
        if (unit != NULL && (strcmp(unit, "minute") == 0 || strcmp(unit, "min") == 0) && v != NULL &&
            (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))) {
            double d = json_object_get_double(v);
            if (d >= 1 && d <= 1440 && d == (double)(int)d) minutes = (int)d;
        } else if (url != NULL && b != NULL && json_object_is_type(b, json_type_boolean) &&
                   ends_with(url, "healthcare-service-allow-online-booking")) {
            online = json_object_get_boolean(b);
        }
    }
    if (minutes == 0) return -1;
    bool oom = false;
    t->id = dup_text(id, &oom);
    t->name = dup_text(name, &oom);
    t->duration_minutes = minutes;
    *bookable = online && active_of(r);
    if (oom) {
        prov_cliniko_treatment_clear(t);
        return -1;
    }
    return 0;
}

int prov_halaxy_patient_decode(json_object *r, bk_patient_t *p)
{
    memset(p, 0, sizeof(*p));
    char id[PROV_HALAXY_ID_CAP];
    if (!is_type(r, "Patient") || resource_id(r, id, sizeof(id)) != 0) return -1;
    const char *given, *family, *prefix;
    human_name(r, &given, &family, &prefix);
    const char *dob = prov_json_get_str(r, "birthDate");
    bool oom = false;
    p->id = dup_text(id, &oom);
    p->first_name = dup_text(given, &oom);
    p->last_name = dup_text(family, &oom);
    p->email = dup_text(telecom_value(r, "email", NULL), &oom);
    p->phone = dup_text(telecom_value(r, "sms", "phone"), &oom);
    if (dob != NULL && strlen(dob) == 10 && dob[4] == '-' && dob[7] == '-') p->dob = dup_text(dob, &oom);
    if (oom) {
        bk_patient_clear(p);
        return -1;
    }
    return 0;
}

static int instant_of(json_object *r, const char *key, int64_t *out)
{
    const char *s = prov_json_get_str(r, key);
    /* Halaxy sends offsets; a time without one is not an instant: refused rather than guessed. */
    if (s == NULL || strlen(s) < 20) return -1;
    return tz_parse_iso(s, strlen(s), NULL, out, NULL, 0);
}

/* The participant status code of a participant's modifierExtension ("" when none). */
static const char *participant_status(json_object *part)
{
    json_object *mods = get_array(part, "modifierExtension");
    for (size_t i = 0; mods != NULL && i < json_object_array_length(mods); i++) {
        json_object *m = json_object_array_get_idx(mods, i);
        const char *url = prov_json_get_str(m, "url");
        if (url == NULL || strcmp(url, PROV_HALAXY_PARTICIPANT_STATUS_URL) != 0) continue;
        json_object *cc = prov_json_get(m, "valueCodeableConcept");
        json_object *codings = get_array(cc, "coding");
        json_object *c0 = codings != NULL ? json_object_array_get_idx(codings, 0) : NULL;
        const char *code = prov_json_get_str(c0, "code");
        if (code == NULL) code = prov_json_get_str(m, "valueCode");
        return code != NULL ? code : "";
    }
    return "";
}

int prov_halaxy_appointment_decode(json_object *r, bk_appointment_t *a, char role_id[PROV_HALAXY_ID_CAP])
{
    memset(a, 0, sizeof(*a));
    role_id[0] = '\0';
    char id[PROV_HALAXY_ID_CAP], patient[PROV_HALAXY_ID_CAP] = "", service[PROV_HALAXY_ID_CAP] = "";
    if (!is_type(r, "Appointment") || resource_id(r, id, sizeof(id)) != 0) return -1;
    if (instant_of(r, "start", &a->start) != 0 || instant_of(r, "end", &a->end) != 0 || a->end <= a->start)
        return -1;
    const char *status = prov_json_get_str(r, "status"), *pstatus = "";
    json_object *parts = get_array(r, "participant");
    for (size_t i = 0; parts != NULL && i < json_object_array_length(parts); i++) {
        json_object *part = json_object_array_get_idx(parts, i), *actor = prov_json_get(part, "actor");
        char tmp[PROV_HALAXY_ID_CAP];
        if (role_id[0] == '\0' && reference_id(actor, "PractitionerRole", tmp, sizeof(tmp)) == 0)
            memcpy(role_id, tmp, sizeof(tmp));
        else if (patient[0] == '\0' && reference_id(actor, "Patient", tmp, sizeof(tmp)) == 0) {
            memcpy(patient, tmp, sizeof(tmp));
            pstatus = participant_status(part);
        } else if (service[0] == '\0' && reference_id(actor, "HealthcareService", tmp, sizeof(tmp)) == 0)
            memcpy(service, tmp, sizeof(tmp));
    }
    if (status == NULL) status = "";
    if (strcmp(status, "cancelled") == 0 || strcmp(status, "entered-in-error") == 0 ||
        strcmp(pstatus, "cancelled") == 0)
        a->state = BK_APPT_CANCELLED;
    else if (strcmp(status, "noshow") == 0 || strcmp(pstatus, "did-not-arrive") == 0)
        a->state = BK_APPT_NO_SHOW;
    else if (strcmp(status, "arrived") == 0 || strcmp(status, "fulfilled") == 0 ||
             strcmp(status, "checked-in") == 0 || strcmp(pstatus, "attended") == 0)
        a->state = BK_APPT_ARRIVED;
    else if (strcmp(status, "proposed") == 0 || strcmp(status, "pending") == 0)
        a->state = BK_APPT_PROVISIONAL;
    else
        a->state = BK_APPT_BOOKED;
    bool oom = false;
    a->id = dup_text(id, &oom);
    a->patient_id = patient[0] ? dup_text(patient, &oom) : NULL;
    a->treatment_id = service[0] ? dup_text(service, &oom) : NULL;
    if (oom) {
        bk_appointment_clear(a);
        return -1;
    }
    return 0;
}

int prov_halaxy_proposal_decode(json_object *r, int64_t *start, int64_t *end, char role_id[PROV_HALAXY_ID_CAP])
{
    role_id[0] = '\0';
    if (!is_type(r, "Appointment") || instant_of(r, "start", start) != 0 || instant_of(r, "end", end) != 0 ||
        *end <= *start)
        return -1;
    json_object *parts = get_array(r, "participant");
    for (size_t i = 0; parts != NULL && i < json_object_array_length(parts); i++)
        if (reference_id(prov_json_get(json_object_array_get_idx(parts, i), "actor"), "PractitionerRole", role_id,
                         PROV_HALAXY_ID_CAP) == 0)
            break;
        else
            role_id[0] = '\0';
    return 0;
}

/* ---- errors and tokens --------------------------------------------------------------------------------------- */

prov_status_t prov_halaxy_status_of(long code, const char *body, size_t len, bool record, char *issue,
                                    size_t issue_cap)
{
    if (issue_cap > 0) issue[0] = '\0';
    if (code >= 200 && code < 300) return PROV_OK;
    json_object *o = NULL;
    if (body != NULL && len > 0 && prov_cliniko_parse_object(body, len, &o) == 0 && is_type(o, "OperationOutcome")) {
        json_object *issues = get_array(o, "issue");
        const char *c = prov_json_get_str(issues != NULL ? json_object_array_get_idx(issues, 0) : NULL, "code");
        if (c != NULL) {
            size_t i = 0; /* copied as a token: letters and dashes only */
            for (; c[i] && i + 1 < issue_cap && (isalpha((unsigned char)c[i]) || c[i] == '-'); i++) issue[i] = c[i];
            if (issue_cap > 0) issue[i] = '\0';
        }
    }
    json_object_put(o);
    if (issue_cap > 0 && issue[0] != '\0' && code != 429 && code < 500) {
        if (strcmp(issue, "not-found") == 0 || strcmp(issue, "deleted") == 0)
            return record ? PROV_NOT_FOUND : PROV_UPSTREAM;
        if (strcmp(issue, "conflict") == 0 || strcmp(issue, "duplicate") == 0) return PROV_CONFLICT;
        if (strcmp(issue, "throttled") == 0) return PROV_RATE_LIMITED;
        if (strcmp(issue, "invalid") == 0 || strcmp(issue, "required") == 0 || strcmp(issue, "value") == 0 ||
            strcmp(issue, "business-rule") == 0 || strcmp(issue, "processing") == 0 ||
            strcmp(issue, "not-supported") == 0)
            return PROV_REJECTED;
        if (strcmp(issue, "security") == 0 || strcmp(issue, "login") == 0 || strcmp(issue, "expired") == 0 ||
            strcmp(issue, "forbidden") == 0 || strcmp(issue, "unknown") == 0)
            return PROV_UPSTREAM;
    }
    if (code == 404) return record ? PROV_NOT_FOUND : PROV_UPSTREAM;
    if (code == 409 || code == 412) return PROV_CONFLICT;
    if (code == 400 || code == 422) return PROV_REJECTED;
    if (code == 429) return PROV_RATE_LIMITED;
    return PROV_UPSTREAM; /* 401/403 (credentials), any 5xx (Halaxy answered, with an error: 502), anything else */
}

int prov_halaxy_token_decode(const char *body, size_t len, char *token, size_t cap, int *lifetime_s)
{
    json_object *o;
    if (prov_cliniko_parse_object(body, len, &o) != 0) return -1;
    const char *tok = prov_json_get_str(o, "access_token"), *type = prov_json_get_str(o, "token_type");
    json_object *exp = prov_json_get(o, "expires_in");
    int rc = -1;
    if (tok == NULL || strlen(tok) >= cap || (type != NULL && strcasecmp(type, "bearer") != 0)) goto out;
    for (const char *p = tok; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) goto out;
    long life = 900;
    if (exp != NULL && (json_object_is_type(exp, json_type_int) || json_object_is_type(exp, json_type_string)))
        life = json_object_is_type(exp, json_type_int) ? (long)json_object_get_int64(exp)
                                                       : strtol(json_object_get_string(exp), NULL, 10);
    if (life < 1) goto out;
    if (life > 900) life = 900;
    snprintf(token, cap, "%s", tok);
    *lifetime_s = (int)life;
    rc = 0;
out:
    json_object_put(o);
    return rc;
}
