/* providers/sandbox_records.c: the sandbox's patients and appointments (see sandbox_records.h). */
#include "providers/sandbox_records.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/once_timer.h"
#include "providers/record_id.h"
#include "store/script.h"

#define MAX_FOUND 50     /* patients one search answers */
#define MAX_LISTED 1000  /* appointments one list answers */
#define INDEX_FIELD_CAP 512

enum { K_PATIENTS, K_INDEX, K_APPTS, K_BUSY, K_SEQ };

/* KEYS patients, index. ARGV index field. Returns the patient JSONs listed under it. */
static store_script_t find_script = STORE_SCRIPT(
    "local ids = redis.call('HGET', KEYS[2], ARGV[1]) local out = {} "
    "if not ids then return out end "
    "for id in string.gmatch(ids, '[^,]+') do local p = redis.call('HGET', KEYS[1], id) "
    "  if p and #out < 50 then out[#out + 1] = p end end return out");

/* KEYS patients, index. ARGV patient JSON (no id), then up to 3 index fields ("" = none), then the new id.
 * Returns nil rather than overwrite a patient that has the id already. */
static store_script_t create_patient_script = STORE_SCRIPT(
    "local p = cjson.decode(ARGV[1]) p.id = ARGV[5] "
    "if redis.call('HEXISTS', KEYS[1], p.id) == 1 then return false end "
    "local raw = cjson.encode(p) redis.call('HSET', KEYS[1], p.id, raw) "
    "for i = 2, 4 do if ARGV[i] ~= '' then local v = redis.call('HGET', KEYS[2], ARGV[i]) "
    "  redis.call('HSET', KEYS[2], ARGV[i], v and (v .. ',' .. p.id) or p.id) end end "
    "return raw");

/* KEYS appointments, index, patients. ARGV "a:<patient>", from, patient id, "1" for a patient of the clinic file
 * (else ""). Returns appointment JSONs, or nil when there is no such patient. */
static store_script_t list_script = STORE_SCRIPT(
    "if ARGV[4] == '' and redis.call('HEXISTS', KEYS[3], ARGV[3]) == 0 then return false end "
    "local ids = redis.call('HGET', KEYS[2], ARGV[1]) local out = {} "
    "if not ids then return out end "
    "for id in string.gmatch(ids, '[^,]+') do local raw = redis.call('HGET', KEYS[1], id) "
    "  if raw and tonumber(cjson.decode(raw).start) >= tonumber(ARGV[2]) and #out < 1000 then "
    "    out[#out + 1] = raw end end return out");

/* Lua: is [s, e) of staff free in their busy set (members "<end>:<id>" scored by start, see sandbox_records.h),
 * `except` aside? Reads only that practitioner's bookings that start in the day before e: no JSON is decoded. */
#define LUA_FREE                                                                                                   \
    SB_RECORDS_MEMBER_LUA                                                                                          \
    "local function free(staff, s, e, except) "                                                                  \
    "  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2] .. ':' .. staff, s - 86400000, '(' .. e)) do "     \
    "    local stop, id = string.match(m, '^(-?%d+):(.*)$') "                                                    \
    "    if id ~= except and tonumber(stop) > s then return false end "                                          \
    "  end return true end "

/* KEYS appointments, busy, patients, index. ARGV staff, treatment, location, patient, start, end, new id, "1" for
 * a patient of the clinic file (else ""). 'missing' when there is no such patient, 'taken' rather than overwrite
 * an appointment that has the id already. */
static store_script_t create_appt_script = STORE_SCRIPT(
    LUA_FREE
    "if ARGV[8] == '' and redis.call('HEXISTS', KEYS[3], ARGV[4]) == 0 then return {'missing'} end "
    "if redis.call('HEXISTS', KEYS[1], ARGV[7]) == 1 then return {'taken'} end "
    "if not free(ARGV[1], tonumber(ARGV[5]), tonumber(ARGV[6]), '') then return {'conflict'} end "
    "local id = ARGV[7] "
    "local raw = cjson.encode({id = id, staff = ARGV[1], treatment = ARGV[2], location = ARGV[3], "
    "                          patient = ARGV[4], start = ARGV[5], ['end'] = ARGV[6], state = 'booked'}) "
    "redis.call('HSET', KEYS[1], id, raw) redis.call('ZADD', KEYS[2], tonumber(ARGV[5]), id) "
    "redis.call('ZADD', KEYS[2] .. ':' .. ARGV[1], tonumber(ARGV[5]), member(ARGV[6], id)) "
    "local f = 'a:' .. ARGV[4] local v = redis.call('HGET', KEYS[4], f) "
    "redis.call('HSET', KEYS[4], f, v and (v .. ',' .. id) or id) "
    "return {'ok', raw}");

/* KEYS appointments, busy. ARGV id, reason. */
static store_script_t cancel_script = STORE_SCRIPT(
    SB_RECORDS_MEMBER_LUA
    "local raw = redis.call('HGET', KEYS[1], ARGV[1]) if not raw then return {'missing'} end "
    "local a = cjson.decode(raw) if a.state == 'cancelled' then return {'cancelled', raw} end "
    "a.state = 'cancelled' a.reason = ARGV[2] raw = cjson.encode(a) "
    "redis.call('HSET', KEYS[1], ARGV[1], raw) redis.call('ZREM', KEYS[2], ARGV[1]) "
    "redis.call('ZREM', KEYS[2] .. ':' .. a.staff, member(a['end'], ARGV[1])) return {'ok', raw}");

/* KEYS appointments, busy. ARGV id, start, end, staff ("" = same). */
static store_script_t reschedule_script = STORE_SCRIPT(
    LUA_FREE
    "local raw = redis.call('HGET', KEYS[1], ARGV[1]) if not raw then return {'missing'} end "
    "local a = cjson.decode(raw) if a.state == 'cancelled' then return {'cancelled', raw} end "
    "local staff = ARGV[4] ~= '' and ARGV[4] or a.staff "
    "if not free(staff, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[1]) then return {'conflict'} end "
    "redis.call('ZREM', KEYS[2] .. ':' .. a.staff, member(a['end'], ARGV[1])) "
    "a.staff = staff a.start = ARGV[2] a['end'] = ARGV[3] raw = cjson.encode(a) "
    "redis.call('HSET', KEYS[1], ARGV[1], raw) redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1]) "
    "redis.call('ZADD', KEYS[2] .. ':' .. staff, tonumber(ARGV[2]), member(ARGV[3], ARGV[1])) "
    "return {'ok', raw}");

void sb_records_keys(const char *tenant_id, char keys[SB_RECORD_KEYS][SB_RECORD_KEY_CAP])
{
    /* "seq" is the id counter of older versions, no longer written: listed so that a clinic change deletes it. */
    static const char *const names[SB_RECORD_KEYS] = {"patients", "index", "appointments", "busy", "seq"};
    for (int i = 0; i < SB_RECORD_KEYS; i++)
        snprintf(keys[i], SB_RECORD_KEY_CAP, "fd:{%s}:sandbox:%s", tenant_id, names[i]);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void lower(char *s)
{
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

static bool same_ci(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* ---- patients ------------------------------------------------------------------------------------------- */

typedef struct found {
    bk_patient_t v[MAX_FOUND];
    size_t n;
    prov_patient_query_t q;
    char *copies[5];
    prov_patients_cb cb;
    prov_patient_cb one_cb;
    void *data;
} found_t;

static void found_free(found_t *f)
{
    for (size_t i = 0; i < f->n; i++) bk_patient_clear(&f->v[i]);
    for (int i = 0; i < 5; i++) free(f->copies[i]);
    free(f);
}

/* True when p matches every field the query gives (phones exact, the rest case-insensitive). */
static bool matches(const prov_patient_query_t *q, const char *phone, const char *email, const char *first,
                    const char *last, const char *dob)
{
    if (q->phone != NULL && (phone == NULL || strcmp(q->phone, phone) != 0)) return false;
    if (q->email != NULL && !same_ci(q->email, email)) return false;
    if (q->first_name != NULL && !same_ci(q->first_name, first)) return false;
    if (q->last_name != NULL && !same_ci(q->last_name, last)) return false;
    if (q->dob != NULL && (dob == NULL || strcmp(q->dob, dob) != 0)) return false;
    return true;
}

static const char *str_member(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static bool patient_from_json(const char *raw, size_t len, bk_patient_t *p)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = tok != NULL ? json_tokener_parse_ex(tok, raw, (int)len) : NULL;
    json_tokener_free(tok);
    if (o == NULL || str_member(o, "id") == NULL) {
        json_object_put(o);
        return false;
    }
    *p = (bk_patient_t){.id = dup_or_null(str_member(o, "id")),
                        .first_name = dup_or_null(str_member(o, "first_name")),
                        .last_name = dup_or_null(str_member(o, "last_name")),
                        .phone = dup_or_null(str_member(o, "phone")),
                        .email = dup_or_null(str_member(o, "email")),
                        .dob = dup_or_null(str_member(o, "dob")),
                        .city = dup_or_null(str_member(o, "city")),
                        .state = dup_or_null(str_member(o, "state")),
                        .country = dup_or_null(str_member(o, "country"))};
    json_object_put(o);
    return p->id != NULL;
}

static void on_found(const redisReply *reply, void *data)
{
    found_t *f = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        f->cb(PROV_UNAVAILABLE, NULL, 0, f->data);
        found_free(f);
        return;
    }
    for (size_t i = 0; i < reply->elements && f->n < MAX_FOUND; i++) {
        const redisReply *e = reply->element[i];
        bk_patient_t p;
        if (e->type != REDIS_REPLY_STRING || !patient_from_json(e->str, e->len, &p)) continue;
        if (matches(&f->q, p.phone, p.email, p.first_name, p.last_name, p.dob)) f->v[f->n++] = p;
        else bk_patient_clear(&p);
    }
    f->cb(PROV_OK, f->v, f->n, f->data);
    found_free(f);
}

/* The index field of a query: the phone, else the e-mail, else the name with the date of birth. */
static bool index_field(const prov_patient_query_t *q, char *buf, size_t cap)
{
    if (q->phone != NULL) snprintf(buf, cap, "p:%s", q->phone);
    else if (q->email != NULL) snprintf(buf, cap, "e:%s", q->email);
    else if (q->first_name != NULL && q->last_name != NULL)
        snprintf(buf, cap, "n:%s|%s|%s", q->first_name, q->last_name, q->dob != NULL ? q->dob : "");
    else return false;
    lower(buf);
    return true;
}

int sb_records_find_patients(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                             const prov_patient_query_t *query, prov_patients_cb cb, void *data)
{
    char field[INDEX_FIELD_CAP];
    if (!index_field(query, field, sizeof(field))) return -1;
    found_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    f->cb = cb;
    f->data = data;
    const char *src[5] = {query->phone, query->email, query->first_name, query->last_name, query->dob};
    for (int i = 0; i < 5; i++) {
        f->copies[i] = dup_or_null(src[i]);
        if (src[i] != NULL && f->copies[i] == NULL) goto fail;
    }
    f->q = (prov_patient_query_t){f->copies[0], f->copies[1], f->copies[2], f->copies[3], f->copies[4]};
    for (size_t i = 0; i < clinic->patient_count && f->n < MAX_FOUND; i++) {
        const sb_patient_t *p = &clinic->patients[i];
        if (!matches(&f->q, p->phone, p->email, p->first_name, p->last_name, p->dob)) continue;
        bk_patient_t *o = &f->v[f->n++];
        *o = (bk_patient_t){strdup(p->id), dup_or_null(p->first_name), dup_or_null(p->last_name),
                            dup_or_null(p->phone), dup_or_null(p->email), dup_or_null(p->dob), NULL, NULL, NULL};
        if (p->email != NULL && o->email != NULL) lower(o->email);
    }
    char keys[SB_RECORD_KEYS][SB_RECORD_KEY_CAP];
    sb_records_keys(tenant_id, keys);
    const char *k[] = {keys[K_PATIENTS], keys[K_INDEX]};
    const char *args[] = {field};
    if (store_eval(env->store, &find_script, on_found, f, 2, k, 1, args, NULL) != 0) goto fail;
    return 0;
fail:
    found_free(f);
    return -1;
}

static void on_patient_created(const redisReply *reply, void *data)
{
    found_t *f = data;
    bk_patient_t p;
    if (reply != NULL && reply->type == REDIS_REPLY_STRING && patient_from_json(reply->str, reply->len, &p)) {
        f->one_cb(PROV_OK, &p, f->data);
        bk_patient_clear(&p);
    } else {
        f->one_cb(reply == NULL ? PROV_UNAVAILABLE : PROV_UPSTREAM, NULL, f->data);
    }
    found_free(f);
}

int sb_records_create_patient(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                              const bk_patient_t *patient, prov_patient_cb cb, void *data)
{
    (void)clinic;
    if (patient->first_name == NULL || patient->last_name == NULL) return -1;
    json_object *o = json_object_new_object();
    if (o == NULL) return -1;
    const char *names[] = {"first_name", "last_name", "phone", "email", "dob", "city", "state", "country"};
    const char *values[] = {patient->first_name, patient->last_name, patient->phone, patient->email,
                            patient->dob,        patient->city,      patient->state, patient->country};
    for (int i = 0; i < 8; i++)
        if (values[i] != NULL) json_object_object_add(o, names[i], json_object_new_string(values[i]));
    char fields[3][INDEX_FIELD_CAP] = {"", "", ""};
    prov_patient_query_t by_phone = {.phone = patient->phone}, by_email = {.email = patient->email};
    prov_patient_query_t by_name = {.first_name = patient->first_name, .last_name = patient->last_name,
                                    .dob = patient->dob};
    if (patient->phone != NULL) index_field(&by_phone, fields[0], sizeof(fields[0]));
    if (patient->email != NULL) index_field(&by_email, fields[1], sizeof(fields[1]));
    index_field(&by_name, fields[2], sizeof(fields[2]));
    found_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        json_object_put(o);
        return -1;
    }
    f->one_cb = cb;
    f->data = data;
    char keys[SB_RECORD_KEYS][SB_RECORD_KEY_CAP], id[64];
    sb_records_keys(tenant_id, keys);
    const char *k[] = {keys[K_PATIENTS], keys[K_INDEX]};
    const char *args[] = {json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), fields[0], fields[1],
                          fields[2], id};
    int rc = prov_record_id("pt-api-", id, sizeof(id))
                 ? store_eval(env->store, &create_patient_script, on_patient_created, f, 2, k, 5, args, NULL)
                 : -1;
    json_object_put(o);
    if (rc != 0) found_free(f);
    return rc;
}

/* ---- appointments --------------------------------------------------------------------------------------- */

typedef struct appts {
    bk_appointment_t *v;
    size_t n, cap;
    prov_appointments_cb cb;
    prov_appointment_cb one_cb;
    void *data;
} appts_t;

static void appts_free(appts_t *a)
{
    bk_appointments_free(a->v, a->n);
    free(a);
}

static bool appts_push(appts_t *a, bk_appointment_t *x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        bk_appointment_t *grown = realloc(a->v, cap * sizeof(*grown));
        if (grown == NULL) return false;
        a->v = grown;
        a->cap = cap;
    }
    a->v[a->n++] = *x;
    return true;
}

static bool int64_of(const char *s, int64_t *out)
{
    if (s == NULL) return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0') return false;
    *out = v;
    return true;
}

static bool appointment_from_json(const char *raw, size_t len, bk_appointment_t *a)
{
    json_tokener *tok = json_tokener_new();
    json_object *o = tok != NULL ? json_tokener_parse_ex(tok, raw, (int)len) : NULL;
    json_tokener_free(tok);
    bool ok = false;
    memset(a, 0, sizeof(*a));
    if (o == NULL) return false;
    const char *state = str_member(o, "state");
    if (str_member(o, "id") != NULL && int64_of(str_member(o, "start"), &a->start) &&
        int64_of(str_member(o, "end"), &a->end) && state != NULL) {
        a->state = strcmp(state, "cancelled") == 0 ? BK_APPT_CANCELLED : BK_APPT_BOOKED;
        a->id = strdup(str_member(o, "id"));
        a->staff_id = dup_or_null(str_member(o, "staff"));
        a->treatment_id = dup_or_null(str_member(o, "treatment"));
        a->location_id = dup_or_null(str_member(o, "location"));
        a->patient_id = dup_or_null(str_member(o, "patient"));
        ok = a->id != NULL && a->staff_id != NULL && a->treatment_id != NULL && a->location_id != NULL;
        if (!ok) bk_appointment_clear(a);
    }
    json_object_put(o);
    return ok;
}

static void on_listed(const redisReply *reply, void *data)
{
    appts_t *a = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        a->cb(reply != NULL && reply->type == REDIS_REPLY_NIL ? PROV_NOT_FOUND : PROV_UNAVAILABLE, NULL, 0, a->data);
        appts_free(a);
        return;
    }
    for (size_t i = 0; i < reply->elements && a->n < MAX_LISTED; i++) {
        bk_appointment_t x;
        const redisReply *e = reply->element[i];
        if (e->type != REDIS_REPLY_STRING || !appointment_from_json(e->str, e->len, &x)) continue;
        if (!appts_push(a, &x)) bk_appointment_clear(&x);
    }
    a->cb(PROV_OK, a->v, a->n, a->data);
    appts_free(a);
}

int sb_records_list_appointments(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                                 const char *patient_id, int64_t from, prov_appointments_cb cb, void *data)
{
    appts_t *a = calloc(1, sizeof(*a));
    if (a == NULL) return -1;
    a->cb = cb;
    a->data = data;
    long p = sb_clinic_find_patient(clinic, patient_id);
    for (size_t i = 0; p >= 0 && i < clinic->booking_count && a->n < MAX_LISTED; i++) {
        const sb_booking_t *b = &clinic->bookings[i];
        if (b->patient != p || b->start < from) continue;
        bk_appointment_t x = {.id = strdup(b->id), .state = BK_APPT_BOOKED, .start = b->start, .end = b->end,
                              .patient_id = strdup(patient_id),
                              .staff_id = strdup(clinic->practitioners[b->practitioner].id),
                              .treatment_id = strdup(clinic->treatments[b->treatment].id),
                              .location_id = strdup(clinic->locations[b->location].id)};
        if (x.id == NULL || x.patient_id == NULL || x.staff_id == NULL || x.treatment_id == NULL ||
            x.location_id == NULL || !appts_push(a, &x)) {
            bk_appointment_clear(&x);
            appts_free(a);
            return -1;
        }
    }
    char keys[SB_RECORD_KEYS][SB_RECORD_KEY_CAP], field[INDEX_FIELD_CAP], from_s[24];
    sb_records_keys(tenant_id, keys);
    snprintf(field, sizeof(field), "a:%s", patient_id);
    lower(field);
    snprintf(from_s, sizeof(from_s), "%" PRId64, from);
    const char *k[] = {keys[K_APPTS], keys[K_INDEX], keys[K_PATIENTS]};
    const char *args[] = {field, from_s, patient_id, p >= 0 ? "1" : ""};
    if (store_eval(env->store, &list_script, on_listed, a, 3, k, 4, args, NULL) != 0) {
        appts_free(a);
        return -1;
    }
    return 0;
}

/* Answers a write script's {verdict, raw} reply. */
static void on_written(const redisReply *reply, void *data)
{
    appts_t *a = data;
    prov_status_t status = reply == NULL ? PROV_UNAVAILABLE : PROV_UPSTREAM;
    bk_appointment_t x;
    memset(&x, 0, sizeof(x));
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
        reply->element[0]->type == REDIS_REPLY_STRING) {
        const char *v = reply->element[0]->str;
        if (strcmp(v, "missing") == 0) status = PROV_NOT_FOUND;
        else if (strcmp(v, "conflict") == 0 || strcmp(v, "cancelled") == 0) status = PROV_CONFLICT;
        else if (strcmp(v, "ok") == 0 && reply->elements == 2 && reply->element[1]->type == REDIS_REPLY_STRING &&
                 appointment_from_json(reply->element[1]->str, reply->element[1]->len, &x))
            status = PROV_OK;
    }
    a->one_cb(status, status == PROV_OK ? &x : NULL, a->data);
    bk_appointment_clear(&x);
    appts_free(a);
}

/* True when a booking of the clinic file for this practitioner overlaps [start, end). */
static bool file_conflict(const sb_clinic_t *clinic, const char *staff_id, int64_t start, int64_t end)
{
    long p = sb_clinic_find_practitioner(clinic, staff_id);
    for (size_t i = 0; p >= 0 && i < clinic->booking_count; i++) {
        const sb_booking_t *b = &clinic->bookings[i];
        if ((long)b->practitioner == p && b->start < end && start < b->end) return true;
    }
    return false;
}

static bool file_booking(const sb_clinic_t *clinic, const char *id)
{
    for (size_t i = 0; i < clinic->booking_count; i++)
        if (strcmp(clinic->bookings[i].id, id) == 0) return true;
    return false;
}

static int write_script(const char *tenant_id, prov_env_t *env, store_script_t *script, int nkeys, int nargs,
                        const char *const *args, prov_appointment_cb cb, void *data)
{
    appts_t *a = calloc(1, sizeof(*a));
    if (a == NULL) return -1;
    a->one_cb = cb;
    a->data = data;
    char keys[SB_RECORD_KEYS][SB_RECORD_KEY_CAP];
    sb_records_keys(tenant_id, keys);
    const char *k[] = {keys[K_APPTS], keys[K_BUSY], keys[K_PATIENTS], keys[K_INDEX]};
    if (store_eval(env->store, script, on_written, a, nkeys, k, nargs, args, NULL) != 0) {
        free(a);
        return -1;
    }
    return 0;
}

typedef struct later {
    prov_status_t status;
    prov_appointment_cb cb;
    void *data;
} later_t;

static void on_later(void *data)
{
    later_t *l = data;
    l->cb(l->status, NULL, l->data);
    free(l);
}

/* Answers a failure on the next loop turn, as an EMR would (never from inside the call). */
static int answer_later(uv_loop_t *loop, prov_status_t status, prov_appointment_cb cb, void *data)
{
    later_t *l = malloc(sizeof(*l));
    if (l == NULL) return -1;
    *l = (later_t){.status = status, .cb = cb, .data = data};
    if (prov_once_timer_start(loop, 0, on_later, l) == NULL) {
        free(l);
        return -1;
    }
    return 0;
}

int sb_records_create_appointment(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                                  const bk_appointment_t *x, prov_appointment_cb cb, void *data)
{
    if (x->staff_id == NULL || x->treatment_id == NULL || x->location_id == NULL || x->patient_id == NULL ||
        x->end <= x->start || x->end - x->start > SB_APPT_MAX_MS)
        return -1;
    if (file_conflict(clinic, x->staff_id, x->start, x->end))
        return answer_later(env->loop, PROV_CONFLICT, cb, data);
    char start[24], end[24], id[64];
    snprintf(start, sizeof(start), "%" PRId64, x->start);
    snprintf(end, sizeof(end), "%" PRId64, x->end);
    if (!prov_record_id("sb-appt-", id, sizeof(id))) return -1;
    const char *file_patient = sb_clinic_find_patient(clinic, x->patient_id) >= 0 ? "1" : "";
    const char *args[] = {x->staff_id, x->treatment_id, x->location_id, x->patient_id, start, end, id, file_patient};
    return write_script(tenant_id, env, &create_appt_script, 4, 8, args, cb, data);
}

int sb_records_cancel(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env, const char *id,
                      const char *reason, prov_appointment_cb cb, void *data)
{
    if (file_booking(clinic, id)) return answer_later(env->loop, PROV_REJECTED, cb, data);
    const char *args[] = {id, reason != NULL ? reason : ""};
    return write_script(tenant_id, env, &cancel_script, 2, 2, args, cb, data);
}

int sb_records_reschedule(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env, const char *id,
                          int64_t start, int64_t end, const char *staff_id, prov_appointment_cb cb, void *data)
{
    if (end <= start || end - start > SB_APPT_MAX_MS) return -1;
    if (file_booking(clinic, id)) return answer_later(env->loop, PROV_REJECTED, cb, data);
    if (staff_id != NULL && file_conflict(clinic, staff_id, start, end)) return answer_later(env->loop, PROV_CONFLICT, cb, data);
    char a[24], b[24];
    snprintf(a, sizeof(a), "%" PRId64, start);
    snprintf(b, sizeof(b), "%" PRId64, end);
    const char *args[] = {id, a, b, staff_id != NULL ? staff_id : ""};
    return write_script(tenant_id, env, &reschedule_script, 2, 4, args, cb, data);
}
