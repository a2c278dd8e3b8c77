/* providers/halaxy_catalog.c: fetch_catalog: the clinics (Organization "CL-..."), practitioners, practitioner roles
 * (a practitioner at one clinic, with the HealthcareServices it gives) and HealthcareServices (appointment types),
 * read in parallel and assembled into the normalized catalog; and the instance's table of roles, which turns
 * staff + location into the PractitionerRole that Halaxy books, and back. */
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "providers/halaxy_internal.h"

#define MAX_PAGES 50 /* per list: 5,000 records at _count=100 */

enum { L_ORGS, L_PRACTITIONERS, L_ROLES, L_SERVICES, L_COUNT };

typedef struct catalog_state {
    halaxy_t *h;
    prov_catalog_cb cb;
    hx_roles_cb roles_cb; /* halaxy_roles_ensure: only the roles are read */
    void *data;
    int pending;
    prov_status_t status;
    bk_catalog_t *cat;
    prov_halaxy_role_t *roles;
    size_t role_n, role_cap;
    bk_catalog_treatment_t *services;
    size_t service_n, service_cap;
    bk_staff_t *staff;
    size_t staff_n, staff_cap;
    bk_location_t *locs;
    size_t loc_n, loc_cap;
} catalog_state_t;

/* One search's own view of the shared state. */
typedef struct list_ctx {
    catalog_state_t *s;
    int kind;
} list_ctx_t;

#define GROW(arr, n, cap)                                                                                              \
    ((n) < (cap) ? 0 : grow((void **)&(arr), &(cap), sizeof(*(arr))))

static int grow(void **arr, size_t *cap, size_t size)
{
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, c * size);
    if (p == NULL) return -1;
    *arr = p;
    *cap = c;
    return 0;
}

static prov_status_t each_resource(void *state, json_object *r)
{
    list_ctx_t *ctx = state;
    catalog_state_t *s = ctx->s;
    switch (ctx->kind) {
    case L_ORGS: {
        bk_location_t loc;
        bool clinic;
        if (prov_halaxy_organization_decode(r, &loc, &clinic) != 0) return PROV_UPSTREAM;
        bool keep = clinic && (s->h->clinic_ids.count == 0 || bk_strings_contains(&s->h->clinic_ids, loc.id));
        if (keep && GROW(s->locs, s->loc_n, s->loc_cap) == 0) {
            s->locs[s->loc_n++] = loc;
            return PROV_OK;
        }
        prov_halaxy_location_clear(&loc);
        return keep ? PROV_UNAVAILABLE : PROV_OK;
    }
    case L_PRACTITIONERS: {
        bk_staff_t p;
        bool active;
        if (prov_halaxy_practitioner_decode(r, &p, &active) != 0) return PROV_UPSTREAM;
        if (active && GROW(s->staff, s->staff_n, s->staff_cap) == 0) {
            s->staff[s->staff_n++] = p;
            return PROV_OK;
        }
        prov_cliniko_staff_clear(&p);
        return active ? PROV_UNAVAILABLE : PROV_OK;
    }
    case L_ROLES: {
        prov_halaxy_role_t role;
        if (prov_halaxy_role_decode(r, &role) != 0) return PROV_UPSTREAM;
        if (role.active && GROW(s->roles, s->role_n, s->role_cap) == 0) {
            s->roles[s->role_n++] = role;
            return PROV_OK;
        }
        prov_halaxy_role_clear(&role);
        return role.active ? PROV_UNAVAILABLE : PROV_OK;
    }
    default: {
        bk_catalog_treatment_t t;
        bool bookable;
        if (prov_halaxy_service_decode(r, &t, &bookable) != 0) return PROV_UPSTREAM;
        if (bookable && GROW(s->services, s->service_n, s->service_cap) == 0) {
            s->services[s->service_n++] = t;
            return PROV_OK;
        }
        prov_cliniko_treatment_clear(&t);
        return bookable ? PROV_UNAVAILABLE : PROV_OK;
    }
    }
}

static void state_free(catalog_state_t *s)
{
    for (size_t i = 0; i < s->role_n; i++) prov_halaxy_role_clear(&s->roles[i]);
    for (size_t i = 0; i < s->service_n; i++) prov_cliniko_treatment_clear(&s->services[i]);
    for (size_t i = 0; i < s->staff_n; i++) prov_cliniko_staff_clear(&s->staff[i]);
    for (size_t i = 0; i < s->loc_n; i++) prov_halaxy_location_clear(&s->locs[i]);
    free(s->roles), free(s->services), free(s->staff), free(s->locs);
    bk_catalog_free(s->cat);
    free(s);
}

/* Installs the roles read into the instance's table. */
static int install_roles(halaxy_t *h, const catalog_state_t *s)
{
    hx_role_t *v = calloc(s->role_n + 1, sizeof(*v));
    if (v == NULL) return -1;
    for (size_t i = 0; i < s->role_n; i++) {
        memcpy(v[i].id, s->roles[i].id, HX_ID_CAP);
        memcpy(v[i].practitioner, s->roles[i].practitioner, HX_ID_CAP);
        memcpy(v[i].organization, s->roles[i].organization, HX_ID_CAP);
    }
    pthread_mutex_lock(&h->mu);
    free(h->roles);
    h->roles = v;
    h->role_count = s->role_n;
    h->roles_read_at = tz_now();
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static int push_unique(bk_strings_t *list, const char *id)
{
    return bk_strings_contains(list, id) ? 0 : bk_strings_push(list, id);
}

/* The catalog of what was read: clinics kept, practitioners with a role at one, services given there. */
static bk_catalog_t *assemble(catalog_state_t *s)
{
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) return NULL;
    s->cat = cat;
    cat->locations = calloc(s->loc_n + 1, sizeof(*cat->locations));
    cat->staff = calloc(s->staff_n + 1, sizeof(*cat->staff));
    cat->treatments = calloc(s->service_n + 1, sizeof(*cat->treatments));
    if (cat->locations == NULL || cat->staff == NULL || cat->treatments == NULL) return NULL;
    for (size_t i = 0; i < s->loc_n; i++) {
        cat->locations[cat->location_count] = s->locs[i];
        memset(&s->locs[i], 0, sizeof(s->locs[i]));
        bk_location_t *l = &cat->locations[cat->location_count++];
        if ((l->time_zone = strdup(s->h->time_zone)) == NULL) return NULL;
    }
    for (size_t i = 0; i < s->service_n; i++) {
        cat->treatments[cat->treatment_count] = s->services[i];
        memset(&s->services[i], 0, sizeof(s->services[i]));
        memcpy(cat->treatments[cat->treatment_count++].currency, s->h->currency, 4);
    }
    for (size_t r = 0; r < s->role_n; r++) {
        const prov_halaxy_role_t *role = &s->roles[r];
        long si = -1;
        for (size_t i = 0; i < s->staff_n && si < 0; i++)
            if (s->staff[i].id != NULL && strcmp(s->staff[i].id, role->practitioner) == 0) si = (long)i;
        if (si < 0 || bk_catalog_find_location(cat, role->organization) < 0) continue;
        bk_staff_t *p = &s->staff[si];
        if (push_unique(&p->location_ids, role->organization) != 0) return NULL;
        for (size_t k = 0; k < role->services.count; k++) {
            long ti = bk_catalog_find_treatment(cat, role->services.items[k]);
            if (ti < 0) continue;
            bk_catalog_treatment_t *t = &cat->treatments[ti];
            if (push_unique(&p->treatment_ids, t->id) != 0 || push_unique(&t->staff_ids, p->id) != 0 ||
                push_unique(&t->location_ids, role->organization) != 0)
                return NULL;
        }
    }
    for (size_t i = 0; i < s->staff_n; i++) {
        if (s->staff[i].location_ids.count == 0) continue; /* works at none of the clinics kept */
        cat->staff[cat->staff_count++] = s->staff[i];
        memset(&s->staff[i], 0, sizeof(s->staff[i]));
    }
    s->cat = NULL;
    return cat;
}

/* One search (or the start's own hold) ended: the last one answers. */
static void settle(catalog_state_t *s, prov_status_t st)
{
    if (st != PROV_OK && s->status == PROV_OK) s->status = st;
    if (--s->pending > 0) return;
    prov_status_t status = s->status;
    if (status == PROV_OK && install_roles(s->h, s) != 0) status = PROV_UNAVAILABLE;
    if (s->roles_cb != NULL) {
        s->roles_cb(status, s->data);
        state_free(s);
        return;
    }
    bk_catalog_t *cat = status == PROV_OK ? assemble(s) : NULL;
    if (status == PROV_OK && cat == NULL) status = PROV_UNAVAILABLE;
    prov_catalog_cb cb = s->cb;
    void *data = s->data;
    state_free(s);
    cb(status, cat, data);
}

static void list_done(void *state, prov_status_t st)
{
    list_ctx_t *ctx = state;
    catalog_state_t *s = ctx->s;
    free(ctx);
    settle(s, st);
}

/* Starts the searches of `kinds` (bit set): 0 when at least one left (the rest fail the state), else -1. */
static int start_lists(halaxy_t *h, prov_env_t *env, catalog_state_t *s, unsigned kinds)
{
    static const char *const paths[L_COUNT] = {"/Organization?_count=100", "/Practitioner?_count=100",
                                               "/PractitionerRole?_count=100", "/HealthcareService?_count=100"};
    s->pending = 1; /* held open while the searches start */
    for (int k = 0; k < L_COUNT; k++) {
        if (!(kinds & (1u << k))) continue;
        char url[HX_URL_CAP];
        list_ctx_t *ctx = malloc(sizeof(*ctx));
        if (ctx == NULL || !halaxy_url(url, h, "%s", paths[k])) {
            free(ctx);
            s->status = PROV_UNAVAILABLE;
            break;
        }
        *ctx = (list_ctx_t){s, k};
        s->pending++;
        if (halaxy_search(h, env, url, MAX_PAGES, each_resource, list_done, ctx) != 0) {
            s->pending--;
            free(ctx);
            s->status = PROV_UNAVAILABLE;
            break;
        }
    }
    if (s->pending == 1) return -1; /* nothing left: no callback */
    settle(s, PROV_OK);
    return 0;
}

int halaxy_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    halaxy_t *h = instance;
    catalog_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (catalog_state_t){.h = h, .cb = cb, .data = data};
    if (start_lists(h, env, s, (1u << L_COUNT) - 1) != 0) {
        state_free(s);
        return -1;
    }
    return 0;
}

static void roles_fresh_later(void *arg)
{
    catalog_state_t *s = arg;
    s->roles_cb(PROV_OK, s->data);
    state_free(s);
}

int halaxy_roles_ensure(halaxy_t *h, prov_env_t *env, hx_roles_cb cb, void *data)
{
    catalog_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (catalog_state_t){.h = h, .roles_cb = cb, .data = data};
    pthread_mutex_lock(&h->mu);
    bool fresh = h->roles_read_at != 0 && tz_now() - h->roles_read_at < HX_ROLES_TTL_MS;
    pthread_mutex_unlock(&h->mu);
    if (fresh ? halaxy_defer(env->loop, roles_fresh_later, s) != 0 : start_lists(h, env, s, 1u << L_ROLES) != 0) {
        state_free(s);
        return -1;
    }
    return 0;
}

bool halaxy_role_of(halaxy_t *h, const char *practitioner, const char *organization, char *out)
{
    bool found = false;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->role_count && !found; i++)
        if (strcmp(h->roles[i].practitioner, practitioner) == 0 && strcmp(h->roles[i].organization, organization) == 0) {
            memcpy(out, h->roles[i].id, HX_ID_CAP);
            found = true;
        }
    pthread_mutex_unlock(&h->mu);
    return found;
}

bool halaxy_role_find(halaxy_t *h, const char *role, char *practitioner, char *organization)
{
    bool found = false;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->role_count && !found; i++)
        if (strcmp(h->roles[i].id, role) == 0) {
            memcpy(practitioner, h->roles[i].practitioner, HX_ID_CAP);
            memcpy(organization, h->roles[i].organization, HX_ID_CAP);
            found = true;
        }
    pthread_mutex_unlock(&h->mu);
    return found;
}

bool halaxy_appointment_place(halaxy_t *h, bk_appointment_t *a, const char *role)
{
    char practitioner[HX_ID_CAP], organization[HX_ID_CAP];
    if (role == NULL || role[0] == '\0' || !halaxy_role_find(h, role, practitioner, organization)) return false;
    free(a->staff_id), free(a->location_id);
    a->staff_id = strdup(practitioner);
    a->location_id = strdup(organization);
    return a->staff_id != NULL && a->location_id != NULL;
}
