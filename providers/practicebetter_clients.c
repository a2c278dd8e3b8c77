/* providers/practicebetter_clients.c: find_patients and create_patient on Practice Better's client records.
 *
 * Practice Better has no server-side filter on e-mail, phone or name (research), so a lookup reads the client
 * list (GET /consultant/records, newest first, at most client_pages pages) and matches here: by e-mail, by name
 * and date of birth (a phone given with a name must match too), or by phone alone (any stored number of the
 * client). What was read is kept in Redis for client_cache_seconds (fd:{tenant}:pb:<id>:clients), so the
 * lookups of one conversation and of every worker share one read; only a match is answered from it: a lookup
 * that finds nobody in the kept copy reads Practice Better again, because "nobody" leads to creating a client
 * and the copy may predate one. Creating a client drops the copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/patient_match.h"
#include "providers/practicebetter_internal.h"

#define MAX_FOUND 50

typedef struct client {
    bk_patient_t p;
    bk_strings_t phones;
} client_t;

typedef struct find_state {
    pb_t *p;
    prov_env_t env;
    prov_patients_cb cb;
    void *data;
    prov_patient_match_t asked; /* the query's copy (only its strings are used here) */
    client_t *all;
    size_t n, cap;
    bool from_cache;
} find_state_t;

static void strings_free(bk_strings_t *l)
{
    for (size_t k = 0; k < l->count; k++) free(l->items[k]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static void clients_clear(find_state_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        bk_patient_clear(&s->all[i].p);
        strings_free(&s->all[i].phones);
    }
    free(s->all);
    s->all = NULL;
    s->n = s->cap = 0;
}

static void find_free(find_state_t *s)
{
    clients_clear(s);
    prov_patient_match_clear(&s->asked);
    free(s);
}

static bool eq_ci(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* The stored number matching the asked phone, as asked (E.164); NULL when none does. */
static const char *phone_match(const find_state_t *s, const bk_strings_t *phones)
{
    for (size_t k = 0; s->asked.phone != NULL && k < phones->count; k++)
        if (prov_cliniko_phone_matches(phones->items[k], s->asked.phone)) return s->asked.phone;
    return NULL;
}

static bool matches(const find_state_t *s, const client_t *c)
{
    const bk_patient_t *p = &c->p;
    if (s->asked.first_name != NULL && !eq_ci(p->first_name, s->asked.first_name)) return false;
    if (s->asked.last_name != NULL && !eq_ci(p->last_name, s->asked.last_name)) return false;
    if (s->asked.dob != NULL && (p->dob == NULL || strcmp(p->dob, s->asked.dob) != 0)) return false;
    if (s->asked.email != NULL) return eq_ci(p->email, s->asked.email); /* an e-mail identifies a client by itself */
    return s->asked.phone == NULL || phone_match(s, &c->phones) != NULL;
}

/* Answers the matches (the phone as asked when it matched, else the first stored E.164 one). Returns how many. */
static size_t answer(find_state_t *s, prov_status_t st)
{
    bk_patient_t found[MAX_FOUND];
    size_t n = 0;
    for (size_t i = 0; st == PROV_OK && i < s->n && n < MAX_FOUND; i++) {
        client_t *c = &s->all[i];
        if (!matches(s, c)) continue;
        found[n] = c->p;
        const char *m = phone_match(s, &c->phones);
        char e164[24];
        if (m != NULL) {
            found[n].phone = (char *)m;
        } else {
            found[n].phone = NULL;
            for (size_t k = 0; k < c->phones.count && found[n].phone == NULL; k++)
                if (prov_cliniko_phone_e164(c->phones.items[k], e164, sizeof(e164)) == 0 &&
                    (c->p.phone = c->p.phone != NULL ? c->p.phone : strdup(e164)) != NULL)
                    found[n].phone = c->p.phone;
        }
        n++;
    }
    if (st != PROV_OK || n > 0 || !s->from_cache) s->cb(st, st == PROV_OK ? found : NULL, n, s->data);
    return n;
}

/* ---- the kept copy: [{"i", "f", "l", "e", "d", "p": [...]}] ----------------------------------------------- */

static void put(json_object *o, const char *k, const char *v)
{
    if (v != NULL) json_object_object_add(o, k, json_object_new_string(v));
}

static void keep_copy(find_state_t *s)
{
    if (s->p->client_cache_seconds == 0 || s->env.store == NULL) return;
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr != NULL && i < s->n; i++) {
        const client_t *c = &s->all[i];
        json_object *o = json_object_new_object(), *ph = json_object_new_array();
        if (o == NULL || ph == NULL) break;
        put(o, "i", c->p.id), put(o, "f", c->p.first_name), put(o, "l", c->p.last_name);
        put(o, "e", c->p.email), put(o, "d", c->p.dob);
        for (size_t k = 0; k < c->phones.count; k++) json_object_array_add(ph, json_object_new_string(c->phones.items[k]));
        json_object_object_add(o, "p", ph);
        json_object_array_add(arr, o);
    }
    if (arr == NULL) return;
    const char *text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
    (void)store_commandf(s->env.store, NULL, NULL, "SET %s %s EX %d", s->p->clients_key, text,
                         s->p->client_cache_seconds);
    json_object_put(arr);
}

static char *text_at(json_object *o, const char *k)
{
    return prov_dup_opt(json_object_get_string(json_object_object_get(o, k)), &(bool){false});
}

static bool read_copy(find_state_t *s, const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new_ex(8);
    json_object *arr = tok != NULL ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    if (tok != NULL) json_tokener_free(tok);
    bool ok = json_object_is_type(arr, json_type_array);
    for (size_t i = 0; ok && i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i), *ph = json_object_object_get(o, "p");
        if (prov_grow((void **)&s->all, s->n, &s->cap, sizeof(*s->all)) != 0) break;
        client_t *c = &s->all[s->n++];
        memset(c, 0, sizeof(*c));
        c->p.id = text_at(o, "i"), c->p.first_name = text_at(o, "f"), c->p.last_name = text_at(o, "l");
        c->p.email = text_at(o, "e"), c->p.dob = text_at(o, "d");
        for (size_t k = 0; json_object_is_type(ph, json_type_array) && k < json_object_array_length(ph); k++)
            (void)bk_strings_push(&c->phones, json_object_get_string(json_object_array_get_idx(ph, k)));
        ok = c->p.id != NULL;
    }
    json_object_put(arr);
    return ok;
}

/* ---- reading Practice Better ------------------------------------------------------------------------------ */

static prov_status_t records_page(json_object *items, void *data)
{
    find_state_t *s = data;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        if (prov_grow((void **)&s->all, s->n, &s->cap, sizeof(*s->all)) != 0) return PROV_UNAVAILABLE;
        client_t *c = &s->all[s->n];
        bool active;
        if (prov_pb_client_decode(json_object_array_get_idx(items, i), &c->p, &c->phones, &active) != 0) {
            bk_patient_clear(&c->p);
            strings_free(&c->phones);
            return PROV_UPSTREAM;
        }
        if (active) {
            s->n++;
        } else {
            bk_patient_clear(&c->p);
            strings_free(&c->phones);
        }
    }
    return PROV_OK;
}

static void records_done(prov_status_t st, void *data)
{
    find_state_t *s = data;
    if (st == PROV_OK) keep_copy(s);
    answer(s, st);
    find_free(s);
}

static int read_records(find_state_t *s)
{
    s->from_cache = false;
    clients_clear(s);
    return pb_list(s->p, &s->env, "/consultant/records", NULL, s->p->client_pages, records_page, records_done, s);
}

static void on_copy(const redisReply *reply, void *data)
{
    find_state_t *s = data;
    s->from_cache = true;
    if (reply != NULL && reply->type == REDIS_REPLY_STRING && read_copy(s, reply->str, reply->len) &&
        answer(s, PROV_OK) > 0) {
        find_free(s);
        return;
    }
    if (read_records(s) != 0) {
        s->cb(PROV_UNAVAILABLE, NULL, 0, s->data);
        find_free(s);
    }
}

static void rejected_later(void *arg)
{
    find_state_t *s = arg;
    s->cb(PROV_REJECTED, NULL, 0, s->data);
    find_free(s);
}

int pb_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                     void *data)
{
    pb_t *p = instance;
    if (q == NULL || env->store == NULL) return -1;
    find_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (find_state_t){.p = p, .env = *env, .cb = cb, .data = data};
    if (prov_patient_match_init(&s->asked, q) != 0) goto fail;
    if (s->asked.phone == NULL && s->asked.email == NULL && s->asked.last_name == NULL) { /* nothing that identifies anyone */
        if (pb_defer(env->loop, rejected_later, s) != 0) goto fail;
        return 0;
    }
    if (store_commandf(env->store, on_copy, s, "GET %s", p->clients_key) == 0) return 0;
fail:
    find_free(s);
    return -1;
}

/* ---- create ----------------------------------------------------------------------------------------------- */

typedef struct create_state {
    pb_t *p;
    prov_env_t env;
    prov_patient_cb cb;
    void *data;
    bk_patient_t asked;
} create_state_t;

static void on_created(prov_status_t st, json_object *answer_json, const char *body, size_t len, void *data)
{
    (void)body, (void)len;
    create_state_t *k = data;
    json_object *v = NULL;
    const char *id = NULL;
    if (st == PROV_OK && json_object_object_get_ex(answer_json, "id", &v)) id = json_object_get_string(v);
    if (st == PROV_OK && !prov_pb_valid_id(id)) st = PROV_UPSTREAM;
    if (st == PROV_NOT_FOUND) st = PROV_UPSTREAM;
    if (st == PROV_OK) (void)store_commandf(k->env.store, NULL, NULL, "DEL %s", k->p->clients_key);
    bk_patient_t p = k->asked;
    p.id = (char *)id;
    k->cb(st, st == PROV_OK ? &p : NULL, k->data);
    bk_patient_clear(&k->asked);
    free(k);
}

int pb_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data)
{
    pb_t *p = instance;
    if (patient == NULL || patient->first_name == NULL || patient->last_name == NULL) return -1;
    create_state_t *k = calloc(1, sizeof(*k));
    json_object *root = json_object_new_object(), *profile = json_object_new_object();
    if (k == NULL || root == NULL || profile == NULL) goto fail;
    *k = (create_state_t){.p = p, .env = *env, .cb = cb, .data = data};
    if (!prov_patient_copy_asked(&k->asked, patient)) goto fail;
    put(profile, "firstName", k->asked.first_name), put(profile, "lastName", k->asked.last_name);
    put(profile, "emailAddress", k->asked.email), put(profile, "mobilePhone", k->asked.phone);
    put(profile, "dateOfBirth", k->asked.dob), put(profile, "timeZone", p->windows_zone);
    json_object_object_add(root, "profile", profile);
    profile = NULL;
    json_object_object_add(root, "status", json_object_new_string("active"));
    json_object_object_add(root, "sendInvitation", json_object_new_boolean(0)); /* no e-mail from a phone call */
    if (pb_call(p, env, "POST", "/consultant/records", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN),
                0, on_created, k) != 0)
        goto fail;
    json_object_put(root);
    return 0;
fail:
    json_object_put(root);
    json_object_put(profile);
    if (k != NULL) bk_patient_clear(&k->asked);
    free(k);
    return -1;
}
