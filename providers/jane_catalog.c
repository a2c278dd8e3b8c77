/* providers/jane_catalog.c: fetch_catalog: the four lists the clinic's public booking site shows (locations,
 * disciplines, staff members, treatments) read at once, then turned into the normalized catalog
 * (jane_decode.c). The booking layer caches the result like any EMR's catalog (policy.catalog_ttl_seconds), so
 * the site is read a few times an hour at most. */
#include <stdio.h>
#include <stdlib.h>

#include "providers/jane_internal.h"

enum { L_LOCATIONS, L_DISCIPLINES, L_STAFF, L_TREATMENTS, L_COUNT };

static const struct {
    const char *path, *key;
    fd_mx_emr_op_t op;
} lists[L_COUNT] = {
    {"/api/v2/locations", "locations", FD_MX_EMR_LIST_BUSINESSES},
    {"/api/v2/disciplines", "disciplines", FD_MX_EMR_OTHER},
    {"/api/v2/staff_members", "staff_members", FD_MX_EMR_LIST_PRACTITIONERS},
    {"/api/v2/treatments", "treatments", FD_MX_EMR_LIST_APPOINTMENT_TYPES},
};

typedef struct catalog_fetch catalog_fetch_t;

typedef struct part {
    catalog_fetch_t *fetch;
    int which;
} part_t;

struct catalog_fetch {
    jane_t *jane;
    prov_catalog_cb cb;
    void *data;
    int pending;
    prov_status_t status;
    json_object *roots[L_COUNT], *items[L_COUNT];
    part_t parts[L_COUNT];
};

static void finish(catalog_fetch_t *f)
{
    bk_catalog_t *cat = NULL;
    if (f->status == PROV_OK) {
        prov_jane_lists_t l = {f->items[L_LOCATIONS], f->items[L_DISCIPLINES], f->items[L_STAFF],
                               f->items[L_TREATMENTS]};
        char booking_url[JANE_URL_CAP];
        snprintf(booking_url, sizeof(booking_url), "%s/", f->jane->base_url);
        cat = prov_jane_catalog(&l, &f->jane->location_ids, f->jane->currency, booking_url);
        if (cat == NULL) f->status = PROV_UPSTREAM;
    }
    f->cb(f->status, cat, f->data);
    for (int i = 0; i < L_COUNT; i++) json_object_put(f->roots[i]);
    free(f);
}

static void on_list(prov_status_t status, json_object *doc, void *data)
{
    part_t *p = data;
    catalog_fetch_t *f = p->fetch;
    if (status == PROV_OK) {
        f->roots[p->which] = json_object_get(doc);
        f->items[p->which] = prov_jane_list(doc, lists[p->which].key);
        if (f->items[p->which] == NULL) status = PROV_UPSTREAM;
    }
    if (status != PROV_OK && f->status == PROV_OK) f->status = status;
    if (--f->pending == 0) finish(f);
}

int jane_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    catalog_fetch_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    f->jane = instance;
    f->cb = cb;
    f->data = data;
    f->status = PROV_OK;
    f->pending = 1;
    for (int i = 0; i < L_COUNT; i++) {
        f->parts[i] = (part_t){f, i};
        f->pending++;
        if (jane_get(instance, env, lists[i].path, lists[i].op, on_list, &f->parts[i]) != 0) {
            f->pending--;
            f->status = PROV_UNAVAILABLE;
            break;
        }
    }
    if (f->pending == 1 && f->status != PROV_OK) {
        free(f);
        return -1;
    }
    if (--f->pending == 0) finish(f);
    return 0;
}
