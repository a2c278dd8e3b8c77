/* providers/practicebetter_catalog.c: fetch_catalog: the team members (GET /company/administration/members, every
 * page), of which the activated practitioners are the staff, with the location and the services the tenant
 * configured (no endpoint for either was captured: research). Our reading of who gives what: every practitioner
 * gives every configured service at the location; availability then says when (and answers nothing for a
 * practitioner who does not give a service). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/practicebetter_internal.h"

#define MAX_PAGES 20

typedef struct catalog_state {
    pb_t *p;
    prov_catalog_cb cb;
    void *data;
    bk_staff_t *staff;
    size_t n, cap;
} catalog_state_t;

static prov_status_t members_page(json_object *items, void *data)
{
    catalog_state_t *s = data;
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        bool bookable;
        if (prov_grow((void **)&s->staff, s->n, &s->cap, sizeof(*s->staff)) != 0) return PROV_UNAVAILABLE;
        if (prov_pb_member_decode(json_object_array_get_idx(items, i), &s->staff[s->n], &bookable) != 0) {
            prov_cliniko_staff_clear(&s->staff[s->n]);
            return PROV_UPSTREAM;
        }
        if (bookable)
            s->n++;
        else
            prov_cliniko_staff_clear(&s->staff[s->n]);
    }
    return PROV_OK;
}

static char *dup_or_null(const char *s, bool *oom)
{
    return prov_dup_opt(s, oom);
}

static bk_catalog_t *assemble(catalog_state_t *s)
{
    pb_t *p = s->p;
    bool oom = false;
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) return NULL;
    cat->locations = calloc(1, sizeof(*cat->locations));
    cat->treatments = calloc(p->service_count, sizeof(*cat->treatments));
    cat->staff = calloc(s->n + 1, sizeof(*cat->staff));
    if (cat->locations == NULL || cat->treatments == NULL || cat->staff == NULL) goto oom;
    const bk_location_t *l = &p->location;
    bk_location_t *out = &cat->locations[cat->location_count++];
    out->id = dup_or_null(l->id, &oom), out->name = dup_or_null(l->name, &oom);
    out->line1 = dup_or_null(l->line1, &oom), out->city = dup_or_null(l->city, &oom);
    out->region = dup_or_null(l->region, &oom), out->postal_code = dup_or_null(l->postal_code, &oom);
    out->country = dup_or_null(l->country, &oom), out->phone = dup_or_null(l->phone, &oom);
    out->time_zone = dup_or_null(l->time_zone, &oom);
    if (oom) goto oom;
    for (size_t t = 0; t < p->service_count; t++) {
        const pb_service_t *sv = &p->services[t];
        bk_catalog_treatment_t *ty = &cat->treatments[cat->treatment_count++];
        ty->id = strdup(sv->id);
        ty->name = strdup(sv->name);
        ty->duration_minutes = sv->duration_minutes;
        ty->price_minor = sv->price_minor;
        memcpy(ty->currency, p->currency, 4);
        if (ty->id == NULL || ty->name == NULL || bk_strings_push(&ty->location_ids, l->id) != 0) goto oom;
        for (size_t i = 0; i < s->n; i++)
            if (bk_strings_push(&ty->staff_ids, s->staff[i].id) != 0 ||
                bk_strings_push(&s->staff[i].treatment_ids, sv->id) != 0)
                goto oom;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (bk_strings_push(&s->staff[i].location_ids, l->id) != 0) goto oom;
        cat->staff[cat->staff_count++] = s->staff[i];
        memset(&s->staff[i], 0, sizeof(s->staff[i]));
    }
    s->n = 0;
    return cat;
oom:
    bk_catalog_free(cat);
    return NULL;
}

static void members_done(prov_status_t st, void *data)
{
    catalog_state_t *s = data;
    bk_catalog_t *cat = NULL;
    if (st == PROV_OK && (cat = assemble(s)) == NULL) st = PROV_UNAVAILABLE;
    s->cb(st, cat, s->data);
    for (size_t i = 0; i < s->n; i++) prov_cliniko_staff_clear(&s->staff[i]);
    free(s->staff);
    free(s);
}

int pb_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    pb_t *p = instance;
    catalog_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (catalog_state_t){.p = p, .cb = cb, .data = data};
    if (pb_list(p, env, "/company/administration/members", "members", MAX_PAGES, members_page, members_done, s) !=
        0) {
        free(s);
        return -1;
    }
    return 0;
}
