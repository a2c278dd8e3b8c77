/* providers/nookal_catalog.c: fetch_catalog: getLocations, getPractitioners and getAppointmentTypes (each a
 * whole paged list, the three at once), assembled into the normalized catalog; and the locations' zones the
 * other operations need to read and write local times, learnt from the same getLocations.
 *
 * Who gives which service: getPractitionerAppointmentTypes exists but may need to be enabled on Nookal's side
 * (research: "special API"), so our safe reading does without it: a practitioner gives every service offered
 * at a location where they work (a service's Locations; none listed means every location). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/nookal_internal.h"

enum { K_LOCATIONS, K_PRACTITIONERS, K_SERVICES, K_KINDS };

typedef struct catalog_state {
    nookal_t *n;
    prov_catalog_cb cb;
    void *data;
    int pending;
    prov_status_t status;
    bk_location_t *locs;
    size_t locs_n, locs_cap;
    bk_staff_t *staff;
    size_t staff_n, staff_cap;
    bk_catalog_treatment_t *types;
    size_t types_n, types_cap;
} catalog_state_t;

typedef struct catalog_part {
    catalog_state_t *s;
    int kind;
} catalog_part_t;

/* ---- the locations' zones --------------------------------------------------------------------------------- */

bool nookal_zone_of(nookal_t *n, const char *location_id, char out[TZ_NAME_ID_CAP])
{
    bool found = false;
    pthread_mutex_lock(&n->mu);
    for (size_t i = 0; i < n->zone_count && !found; i++)
        if (strcmp(n->zones[i].location_id, location_id) == 0) {
            memcpy(out, n->zones[i].zone, TZ_NAME_ID_CAP);
            found = true;
        }
    pthread_mutex_unlock(&n->mu);
    return found;
}

void nookal_zones_learn(nookal_t *n, const bk_location_t *locations, size_t count)
{
    pthread_mutex_lock(&n->mu);
    n->zone_count = 0;
    for (size_t i = 0; i < count && n->zone_count < NOOKAL_MAX_LOCATIONS; i++) {
        if (locations[i].time_zone == NULL || strlen(locations[i].id) >= PROV_NOOKAL_ID_CAP ||
            strlen(locations[i].time_zone) >= TZ_NAME_ID_CAP)
            continue;
        nookal_zone_t *z = &n->zones[n->zone_count++];
        snprintf(z->location_id, sizeof(z->location_id), "%s", locations[i].id);
        snprintf(z->zone, sizeof(z->zone), "%s", locations[i].time_zone);
    }
    pthread_mutex_unlock(&n->mu);
}

static void location_free(bk_location_t *l)
{
    free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
    free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
}

typedef struct zones_wait {
    nookal_t *n;
    void (*fn)(prov_status_t status, void *data);
    void *data;
    bk_location_t *locs;
    size_t count, cap;
} zones_wait_t;

static prov_status_t zones_page(const prov_nookal_reply_t *reply, void *data)
{
    zones_wait_t *w = data;
    json_object *items = prov_nookal_results_array(reply, "locations");
    for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
        if (prov_grow((void **)&w->locs, w->count, &w->cap, sizeof(*w->locs)) != 0) return PROV_UNAVAILABLE;
        if (prov_nookal_location_decode(json_object_array_get_idx(items, i), &w->locs[w->count]) != 0)
            return PROV_UPSTREAM;
        w->count++;
    }
    return PROV_OK;
}

static void zones_done(prov_status_t st, void *data)
{
    zones_wait_t *w = data;
    if (st == PROV_OK) nookal_zones_learn(w->n, w->locs, w->count);
    for (size_t i = 0; i < w->count; i++) location_free(&w->locs[i]);
    free(w->locs);
    void (*fn)(prov_status_t, void *) = w->fn;
    void *fdata = w->data;
    free(w);
    fn(st, fdata);
}

int nookal_with_zones(nookal_t *n, prov_env_t *env, void (*fn)(prov_status_t status, void *data), void *data)
{
    pthread_mutex_lock(&n->mu);
    bool known = n->zone_count > 0;
    pthread_mutex_unlock(&n->mu);
    if (known) return 1;
    zones_wait_t *w = calloc(1, sizeof(*w));
    if (w == NULL) return -1;
    *w = (zones_wait_t){.n = n, .fn = fn, .data = data};
    if (nookal_list(n, env, "getLocations", NULL, 0, false, zones_page, zones_done, w) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

/* ---- the catalog ------------------------------------------------------------------------------------------ */

static prov_status_t catalog_page(const prov_nookal_reply_t *reply, void *data)
{
    catalog_part_t *part = data;
    catalog_state_t *s = part->s;
    static const char *const keys[K_KINDS] = {"locations", "practitioners", "services"};
    json_object *items = prov_nookal_results_array(reply, keys[part->kind]);
    for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
        json_object *item = json_object_array_get_idx(items, i);
        if (part->kind == K_LOCATIONS) {
            if (prov_grow((void **)&s->locs, s->locs_n, &s->locs_cap, sizeof(*s->locs)) != 0) return PROV_UNAVAILABLE;
            if (prov_nookal_location_decode(item, &s->locs[s->locs_n]) != 0) return PROV_UPSTREAM;
            s->locs_n++;
        } else if (part->kind == K_PRACTITIONERS) {
            bool active;
            if (prov_grow((void **)&s->staff, s->staff_n, &s->staff_cap, sizeof(*s->staff)) != 0)
                return PROV_UNAVAILABLE;
            if (prov_nookal_practitioner_decode(item, &s->staff[s->staff_n], &active) != 0) return PROV_UPSTREAM;
            if (active)
                s->staff_n++;
            else
                prov_cliniko_staff_clear(&s->staff[s->staff_n]);
        } else {
            if (prov_grow((void **)&s->types, s->types_n, &s->types_cap, sizeof(*s->types)) != 0)
                return PROV_UNAVAILABLE;
            if (prov_nookal_service_decode(item, &s->types[s->types_n]) != 0) return PROV_UPSTREAM;
            s->types_n++;
        }
    }
    return PROV_OK;
}

static void catalog_state_free(catalog_state_t *s)
{
    for (size_t i = 0; i < s->locs_n; i++) location_free(&s->locs[i]);
    for (size_t i = 0; i < s->staff_n; i++) prov_cliniko_staff_clear(&s->staff[i]);
    for (size_t i = 0; i < s->types_n; i++) prov_cliniko_treatment_clear(&s->types[i]);
    free(s->locs), free(s->staff), free(s->types);
    free(s);
}

/* Keeps the locations the tenant uses that have a zone; links staff and services through them. */
static bk_catalog_t *catalog_assemble(catalog_state_t *s)
{
    nookal_t *n = s->n;
    nookal_zones_learn(n, s->locs, s->locs_n);
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) return NULL;
    cat->locations = calloc(s->locs_n + 1, sizeof(*cat->locations));
    cat->staff = calloc(s->staff_n + 1, sizeof(*cat->staff));
    cat->treatments = calloc(s->types_n + 1, sizeof(*cat->treatments));
    if (cat->locations == NULL || cat->staff == NULL || cat->treatments == NULL) goto oom;
    bk_strings_t kept = {0};
    for (size_t i = 0; i < s->locs_n; i++) {
        bk_location_t *l = &s->locs[i];
        /* A location whose Timezone we cannot read is left out: its local times could not be trusted. */
        if (l->time_zone == NULL || (n->location_ids.count > 0 && !bk_strings_contains(&n->location_ids, l->id)))
            continue;
        if (bk_strings_push(&kept, l->id) != 0) goto oom_kept;
        cat->locations[cat->location_count++] = *l;
        memset(l, 0, sizeof(*l));
    }
    for (size_t i = 0; i < s->staff_n; i++) { /* their locations, as far as the tenant uses them */
        bk_strings_t *ls = &s->staff[i].location_ids;
        size_t w = 0;
        for (size_t k = 0; k < ls->count; k++) {
            if (bk_strings_contains(&kept, ls->items[k]))
                ls->items[w++] = ls->items[k];
            else
                free(ls->items[k]);
        }
        ls->count = w;
    }
    for (size_t t = 0; t < s->types_n; t++) {
        bk_catalog_treatment_t *ty = &s->types[t];
        bk_strings_t at = {0};
        for (size_t k = 0; k < kept.count; k++)
            if ((ty->location_ids.count == 0 || bk_strings_contains(&ty->location_ids, kept.items[k])) &&
                bk_strings_push(&at, kept.items[k]) != 0)
                goto oom_kept;
        for (size_t k = 0; k < ty->location_ids.count; k++) free(ty->location_ids.items[k]);
        free(ty->location_ids.items);
        ty->location_ids = at;
        memcpy(ty->currency, n->currency, 4);
        for (size_t p = 0; p < s->staff_n; p++) {
            bk_staff_t *st = &s->staff[p];
            bool shares = false;
            for (size_t k = 0; k < st->location_ids.count && !shares; k++)
                shares = bk_strings_contains(&at, st->location_ids.items[k]);
            if (shares && (bk_strings_push(&ty->staff_ids, st->id) != 0 || bk_strings_push(&st->treatment_ids, ty->id)))
                goto oom_kept;
        }
        cat->treatments[cat->treatment_count++] = *ty;
        memset(ty, 0, sizeof(*ty));
    }
    s->types_n = 0;
    for (size_t i = 0; i < s->staff_n; i++) {
        cat->staff[cat->staff_count++] = s->staff[i];
        memset(&s->staff[i], 0, sizeof(s->staff[i]));
    }
    s->staff_n = 0;
    for (size_t k = 0; k < kept.count; k++) free(kept.items[k]);
    free(kept.items);
    return cat;
oom_kept:
    for (size_t k = 0; k < kept.count; k++) free(kept.items[k]);
    free(kept.items);
oom:
    bk_catalog_free(cat);
    return NULL;
}

static void catalog_part_done(prov_status_t st, void *data)
{
    catalog_part_t *part = data;
    catalog_state_t *s = part->s;
    free(part);
    if (st != PROV_OK && s->status == PROV_OK) s->status = st;
    if (--s->pending > 0) return;
    bk_catalog_t *cat = NULL;
    st = s->status;
    if (st == PROV_OK && (cat = catalog_assemble(s)) == NULL) st = PROV_UNAVAILABLE;
    prov_catalog_cb cb = s->cb;
    void *cb_data = s->data;
    catalog_state_free(s);
    cb(st, cat, cb_data);
}

int nookal_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    nookal_t *n = instance;
    catalog_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (catalog_state_t){.n = n, .cb = cb, .data = data, .status = PROV_OK};
    static const char *const methods[K_KINDS] = {"getLocations", "getPractitioners", "getAppointmentTypes"};
    s->pending = 1; /* held open while the lists go out */
    for (int k = 0; k < K_KINDS; k++) {
        catalog_part_t *part = malloc(sizeof(*part));
        if (part == NULL) {
            s->status = PROV_UNAVAILABLE;
            break;
        }
        *part = (catalog_part_t){s, k};
        s->pending++;
        if (nookal_list(n, env, methods[k], NULL, 0, false, catalog_page, catalog_part_done, part) != 0) {
            free(part);
            s->pending--;
            s->status = PROV_UNAVAILABLE;
            break;
        }
    }
    if (s->pending == 1) { /* nothing went out: no callback */
        catalog_state_free(s);
        return -1;
    }
    s->pending--; /* the lists out will end it */
    return 0;
}
