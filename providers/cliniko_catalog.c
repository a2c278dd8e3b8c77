/* providers/cliniko_catalog.c: fetch_catalog: /settings, businesses, practitioners, users (a practitioner's
 * e-mail is its user's), appointment types and billable items, then (second phase) who works where and who gives
 * which type, assembled into the normalized catalog with each business's IANA zone (falling back to the
 * account's). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_internal.h"

enum {
    K_SETTINGS,
    K_BUSINESSES,
    K_PRACTITIONERS,
    K_TYPES,
    K_BILLABLE,
    K_BUSINESS_STAFF,
    K_TYPE_STAFF,
    K_STAFF_TYPES,
    K_USERS
};

/* A user's e-mail, or a practitioner's user: (id, value) pairs matched up when the catalog is assembled. */
typedef struct pair_rec {
    char id[PROV_CLINIKO_ID_CAP];
    char *value;
} pair_rec_t;

typedef struct type_rec {
    bk_catalog_treatment_t t;
    char billable[PROV_CLINIKO_ID_CAP];
} type_rec_t;

typedef struct billable_rec {
    char id[PROV_CLINIKO_ID_CAP];
    int64_t price;
} billable_rec_t;

typedef struct catalog_state {
    prov_catalog_cb cb;
    void *data;
    int phase;
    prov_cliniko_settings_t settings;
    bool settings_ok;
    prov_cliniko_business_t *biz;
    size_t biz_n, biz_cap;
    bk_staff_t *staff;
    size_t staff_n, staff_cap;
    type_rec_t *types;
    size_t types_n, types_cap;
    billable_rec_t *bill;
    size_t bill_n, bill_cap;
    pair_rec_t *user_email, *staff_user; /* user id -> e-mail; practitioner id -> user id */
    size_t user_n, user_cap, su_n, su_cap;
} catalog_state_t;

/* Appends (id, a copy of value) to a pair list. Returns 0, or -1 when out of memory. */
static int pair_push(pair_rec_t **v, size_t *n, size_t *cap, const char *id, const char *value)
{
    void *tmp_grow;
    if (strlen(id) >= PROV_CLINIKO_ID_CAP || GROW(*v, *n, *cap) != 0) return -1;
    pair_rec_t *p = &(*v)[*n];
    snprintf(p->id, sizeof(p->id), "%s", id);
    if ((p->value = strdup(value)) == NULL) return -1;
    (*n)++;
    return 0;
}

static const char *pair_find(const pair_rec_t *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0) return v[i].value;
    return NULL;
}

static long find_staff(const catalog_state_t *s, const char *id)
{
    for (size_t i = 0; i < s->staff_n; i++)
        if (strcmp(s->staff[i].id, id) == 0) return (long)i;
    return -1;
}

static long find_type(const catalog_state_t *s, const char *id)
{
    for (size_t i = 0; i < s->types_n; i++)
        if (strcmp(s->types[i].t.id, id) == 0) return (long)i;
    return -1;
}

static int link_staff_type(catalog_state_t *s, size_t staff, size_t type)
{
    bk_staff_t *p = &s->staff[staff];
    bk_catalog_treatment_t *t = &s->types[type].t;
    if (!bk_strings_contains(&p->treatment_ids, t->id) && bk_strings_push(&p->treatment_ids, t->id) != 0) return -1;
    if (!bk_strings_contains(&t->staff_ids, p->id) && bk_strings_push(&t->staff_ids, p->id) != 0) return -1;
    return 0;
}

static prov_status_t catalog_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    catalog_state_t *s = j->state;
    void *tmp_grow;
    if (t->kind == K_SETTINGS) {
        s->settings_ok = prov_cliniko_settings_decode(r->body, r->body_len, &s->settings) == 0;
        return s->settings_ok ? PROV_OK : PROV_UPSTREAM;
    }
    static const char *const keys[] = {
        [K_BUSINESSES] = "businesses",        [K_PRACTITIONERS] = "practitioners",  [K_TYPES] = "appointment_types",
        [K_BILLABLE] = "billable_items",      [K_BUSINESS_STAFF] = "practitioners", [K_TYPE_STAFF] = "practitioners",
        [K_STAFF_TYPES] = "appointment_types", [K_USERS] = "users"};
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, keys[t->kind], &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    for (size_t i = 0; i < page.count && st == PROV_OK; i++) {
        json_object *item = json_object_array_get_idx(page.items, i);
        char id[PROV_CLINIKO_ID_CAP];
        switch (t->kind) {
        case K_BUSINESSES: {
            prov_cliniko_business_t b;
            if (prov_cliniko_business_decode(item, &b) != 0) {
                st = PROV_UPSTREAM;
                break;
            }
            bool keep = !b.archived && b.online &&
                        (j->c->business_ids.count == 0 || bk_strings_contains(&j->c->business_ids, b.loc.id));
            if (!keep) {
                prov_cliniko_business_clear(&b);
            } else if (GROW(s->biz, s->biz_n, s->biz_cap) != 0) {
                prov_cliniko_business_clear(&b);
                st = PROV_UNAVAILABLE;
            } else {
                s->biz[s->biz_n++] = b;
            }
            break;
        }
        case K_PRACTITIONERS: {
            bk_staff_t p;
            bool active;
            if (prov_cliniko_practitioner_decode(item, &p, &active) != 0) {
                st = PROV_UPSTREAM;
            } else if (!active || find_staff(s, p.id) >= 0) {
                prov_cliniko_staff_clear(&p);
            } else if (GROW(s->staff, s->staff_n, s->staff_cap) != 0) {
                prov_cliniko_staff_clear(&p);
                st = PROV_UNAVAILABLE;
            } else {
                char user[PROV_CLINIKO_ID_CAP];
                if (prov_cliniko_link_id(item, "user", user, sizeof(user)) == 0 &&
                    pair_push(&s->staff_user, &s->su_n, &s->su_cap, p.id, user) != 0)
                    st = PROV_UNAVAILABLE;
                s->staff[s->staff_n++] = p;
            }
            break;
        }
        case K_USERS: {
            json_object *v = NULL;
            const char *email = json_object_object_get_ex(item, "email", &v) && json_object_is_type(v, json_type_string)
                                  ? json_object_get_string(v)
                                  : NULL;
            if (!json_object_object_get_ex(item, "id", &v) || prov_cliniko_id(v, id, sizeof(id)) != 0) {
                st = PROV_UPSTREAM;
            } else if (email != NULL && email[0] != '\0' && strlen(email) <= 254 &&
                       pair_push(&s->user_email, &s->user_n, &s->user_cap, id, email) != 0) {
                st = PROV_UNAVAILABLE;
            }
            break;
        }
        case K_TYPES: {
            type_rec_t tr;
            bool online, archived;
            if (prov_cliniko_appointment_type_decode(item, &tr.t, tr.billable, sizeof(tr.billable), &online,
                                                     &archived) != 0) {
                st = PROV_UPSTREAM;
            } else if (!online || archived || find_type(s, tr.t.id) >= 0) {
                prov_cliniko_treatment_clear(&tr.t);
            } else if (GROW(s->types, s->types_n, s->types_cap) != 0) {
                prov_cliniko_treatment_clear(&tr.t);
                st = PROV_UNAVAILABLE;
            } else {
                s->types[s->types_n++] = tr;
            }
            break;
        }
        case K_BILLABLE: {
            billable_rec_t b;
            if (prov_cliniko_billable_item_decode(item, b.id, sizeof(b.id), &b.price) != 0) break; /* no price */
            if (GROW(s->bill, s->bill_n, s->bill_cap) != 0)
                st = PROV_UNAVAILABLE;
            else
                s->bill[s->bill_n++] = b;
            break;
        }
        case K_BUSINESS_STAFF: {
            json_object *idv = NULL;
            if (!json_object_is_type(item, json_type_object) || !json_object_object_get_ex(item, "id", &idv) ||
                prov_cliniko_id(idv, id, sizeof(id)) != 0) {
                st = PROV_UPSTREAM;
                break;
            }
            long p = find_staff(s, id);
            bk_staff_t *staff = p >= 0 ? &s->staff[p] : NULL;
            const char *bid = s->biz[t->index].loc.id;
            if (staff != NULL && !bk_strings_contains(&staff->location_ids, bid) &&
                bk_strings_push(&staff->location_ids, bid) != 0)
                st = PROV_UNAVAILABLE;
            break;
        }
        case K_TYPE_STAFF:
        case K_STAFF_TYPES: {
            json_object *idv = NULL;
            if (!json_object_is_type(item, json_type_object) || !json_object_object_get_ex(item, "id", &idv) ||
                prov_cliniko_id(idv, id, sizeof(id)) != 0) {
                st = PROV_UPSTREAM;
                break;
            }
            long p = t->kind == K_TYPE_STAFF ? find_staff(s, id) : (long)t->index;
            long ty = t->kind == K_TYPE_STAFF ? (long)t->index : find_type(s, id);
            if (p >= 0 && ty >= 0 && link_staff_type(s, (size_t)p, (size_t)ty) != 0) st = PROV_UNAVAILABLE;
            break;
        }
        }
    }
    if (st == PROV_OK) st = cliniko_follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static void catalog_state_free(catalog_state_t *s)
{
    for (size_t i = 0; i < s->biz_n; i++) prov_cliniko_business_clear(&s->biz[i]);
    for (size_t i = 0; i < s->staff_n; i++) prov_cliniko_staff_clear(&s->staff[i]);
    for (size_t i = 0; i < s->types_n; i++) prov_cliniko_treatment_clear(&s->types[i].t);
    free(s->biz);
    free(s->staff);
    free(s->types);
    free(s->bill);
    for (size_t i = 0; i < s->user_n; i++) free(s->user_email[i].value);
    for (size_t i = 0; i < s->su_n; i++) free(s->staff_user[i].value);
    free(s->user_email);
    free(s->staff_user);
    free(s);
}

/* Resolves a zone name (IANA or Rails label) to an IANA ID. */
static bool zone_id_of(const char *name, char out[TZ_NAME_ID_CAP])
{
    tz_resolution_t res;
    if (name == NULL || name[0] == '\0' || tz_resolve(name, strlen(name), NULL, &res, NULL, 0) != 0) return false;
    memcpy(out, res.id, sizeof(res.id));
    return true;
}

static bk_catalog_t *catalog_assemble(cliniko_t *c, catalog_state_t *s, prov_status_t *st)
{
    char account_zone[TZ_NAME_ID_CAP] = "";
    if (s->settings_ok && zone_id_of(s->settings.tz_label, account_zone)) {
        pthread_mutex_lock(&c->mu);
        memcpy(c->account_tz, account_zone, sizeof(account_zone));
        memcpy(c->country, s->settings.country_code, sizeof(c->country));
        pthread_mutex_unlock(&c->mu);
    }
    const char *currency = prov_cliniko_currency_of(s->settings.country_code);
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) goto oom;
    cat->locations = calloc(s->biz_n + 1, sizeof(*cat->locations));
    cat->staff = calloc(s->staff_n + 1, sizeof(*cat->staff));
    cat->treatments = calloc(s->types_n + 1, sizeof(*cat->treatments));
    if (cat->locations == NULL || cat->staff == NULL || cat->treatments == NULL) goto oom;
    for (size_t i = 0; i < s->biz_n; i++) {
        prov_cliniko_business_t *b = &s->biz[i];
        char zone[TZ_NAME_ID_CAP];
        if (!zone_id_of(b->loc.time_zone, zone) && !zone_id_of(b->tz_label, zone)) {
            if (account_zone[0] == '\0') {
                *st = PROV_UPSTREAM; /* neither the business nor the account says where it is */
                goto fail;
            }
            memcpy(zone, account_zone, sizeof(zone));
        }
        free(b->loc.time_zone);
        if ((b->loc.time_zone = strdup(zone)) == NULL) goto oom;
        cat->locations[cat->location_count++] = b->loc; /* moves the strings */
        memset(&b->loc, 0, sizeof(b->loc));
    }
    for (size_t i = 0; i < s->types_n; i++) {
        bk_catalog_treatment_t *t = &s->types[i].t;
        memcpy(t->currency, currency, 4);
        for (size_t k = 0; k < s->bill_n; k++)
            if (strcmp(s->bill[k].id, s->types[i].billable) == 0) t->price_minor = s->bill[k].price;
        for (size_t p = 0; p < t->staff_ids.count; p++) {
            long si = find_staff(s, t->staff_ids.items[p]);
            if (si < 0) continue;
            bk_staff_t *staff = &s->staff[si];
            for (size_t l = 0; l < staff->location_ids.count; l++) {
                const char *lid = staff->location_ids.items[l];
                bool offered = true;
                for (size_t bi = 0; bi < s->biz_n; bi++)
                    if (s->biz[bi].has_type_ids && strcmp(cat->locations[bi].id, lid) == 0)
                        offered = bk_strings_contains(&s->biz[bi].type_ids, t->id);
                if (offered && !bk_strings_contains(&t->location_ids, lid) &&
                    bk_strings_push(&t->location_ids, lid) != 0)
                    goto oom;
            }
        }
        cat->treatments[cat->treatment_count++] = *t;
        memset(t, 0, sizeof(*t));
    }
    s->types_n = 0;
    for (size_t i = 0; i < s->staff_n; i++) {
        const char *user = pair_find(s->staff_user, s->su_n, s->staff[i].id);
        const char *email = user != NULL ? pair_find(s->user_email, s->user_n, user) : NULL;
        if (email != NULL && s->staff[i].email == NULL && (s->staff[i].email = strdup(email)) == NULL) goto oom;
        cat->staff[cat->staff_count++] = s->staff[i];
        memset(&s->staff[i], 0, sizeof(s->staff[i]));
    }
    s->staff_n = 0;
    return cat;
oom:
    *st = PROV_UNAVAILABLE;
fail:
    bk_catalog_free(cat);
    return NULL;
}

static void catalog_drained(job_t *j)
{
    catalog_state_t *s = j->state;
    cliniko_t *c = j->c;
    if (j->status == PROV_OK && s->phase == 0) {
        /* Phase 2: where each practitioner works, and who gives which appointment type (the cheaper way). */
        s->phase = 1;
        char url[URL_CAP];
        bool ok = true;
        for (size_t i = 0; i < s->biz_n && ok; i++)
            ok = cliniko_url(url, c, "/businesses/%s/practitioners?per_page=100", s->biz[i].loc.id) &&
                 cliniko_job_add(j, K_BUSINESS_STAFF, i, 1, url) == 0;
        bool per_type = s->types_n <= s->staff_n;
        size_t n = per_type ? s->types_n : s->staff_n;
        for (size_t i = 0; i < n && ok; i++)
            ok = (per_type ? cliniko_url(url, c, "/appointment_types/%s/practitioners?per_page=100", s->types[i].t.id)
                           : cliniko_url(url, c, "/practitioners/%s/appointment_types?per_page=100", s->staff[i].id)) &&
                 cliniko_job_add(j, per_type ? K_TYPE_STAFF : K_STAFF_TYPES, i, 1, url) == 0;
        if (!ok) j->status = PROV_UPSTREAM;
        if (j->next_task < j->task_count && j->status == PROV_OK) {
            cliniko_job_pump(j);
            return;
        }
    }
    prov_status_t st = j->status;
    bk_catalog_t *cat = st == PROV_OK ? catalog_assemble(c, s, &st) : NULL;
    if (st != PROV_OK) cat = NULL;
    prov_catalog_cb cb = s->cb;
    void *data = s->data;
    catalog_state_free(s);
    cliniko_job_free(j);
    cb(st, cat, data);
}

int cliniko_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    cliniko_t *c = instance;
    catalog_state_t *s = calloc(1, sizeof(*s));
    job_t *j = s != NULL ? cliniko_job_new(c, env, catalog_page, catalog_drained, s) : NULL;
    if (j == NULL) {
        free(s);
        return -1;
    }
    s->cb = cb;
    s->data = data;
    char url[URL_CAP];
    static const struct {
        int kind;
        const char *path;
    } lists[] = {{K_SETTINGS, "/settings"},
                 {K_BUSINESSES, "/businesses?per_page=100"},
                 {K_PRACTITIONERS, "/practitioners?per_page=100"},
                 {K_USERS, "/users?per_page=100"},
                 {K_TYPES, "/appointment_types?per_page=100"},
                 {K_BILLABLE, "/billable_items?per_page=100"}};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (!cliniko_url(url, c, "%s", lists[i].path) || cliniko_job_add(j, lists[i].kind, 0, 1, url) != 0) goto fail;
    if (cliniko_job_start(j) != 0) goto fail;
    return 0;
fail:
    catalog_state_free(s);
    cliniko_job_free(j);
    return -1;
}
