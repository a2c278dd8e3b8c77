/* providers/jane_decode.c: the pure decoders of Jane's public booking JSON (see jane_decode.h). */
#include "providers/jane_decode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "tz/tz.h"

json_object *prov_jane_list(json_object *doc, const char *key)
{
    json_object *arr = doc;
    if (json_object_is_type(doc, json_type_object) && !json_object_object_get_ex(doc, key, &arr)) return NULL;
    return json_object_is_type(arr, json_type_array) ? arr : NULL;
}

static const char *text_of(json_object *o, const char *field)
{
    json_object *v;
    if (!json_object_object_get_ex(o, field, &v) || !json_object_is_type(v, json_type_string)) return NULL;
    const char *s = json_object_get_string(v);
    return s[0] != '\0' ? s : NULL;
}

static int id_of(json_object *o, const char *field, char out[PROV_JANE_ID_CAP])
{
    json_object *v;
    return json_object_object_get_ex(o, field, &v) ? prov_cliniko_id(v, out, PROV_JANE_ID_CAP) : -1;
}

/* Pushes the ids of the array o[field] into list; absent is fine (0), a bad id is -1. */
static int ids_of(json_object *o, const char *field, bk_strings_t *list)
{
    json_object *arr;
    if (!json_object_object_get_ex(o, field, &arr) || json_object_is_type(arr, json_type_null)) return 0;
    if (!json_object_is_type(arr, json_type_array)) return -1;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        char id[PROV_JANE_ID_CAP];
        if (prov_cliniko_id(json_object_array_get_idx(arr, i), id, sizeof(id)) != 0) return -1;
        if (!bk_strings_contains(list, id) && bk_strings_push(list, id) != 0) return -1;
    }
    return 0;
}

static char *dup_opt(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* "85.00", 85 or 85.5 as minor units; -1 when absent or not a price. */
static int64_t price_of(json_object *o)
{
    json_object *v;
    if (!json_object_object_get_ex(o, "price", &v)) return -1;
    double d;
    if (json_object_is_type(v, json_type_string)) {
        char *end;
        d = strtod(json_object_get_string(v), &end);
        if (end == json_object_get_string(v) || *end != '\0') return -1;
    } else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
        d = json_object_get_double(v);
    } else {
        return -1;
    }
    return d >= 0 && d < 1e9 ? (int64_t)llround(d * 100) : -1;
}

/* The staff member's names: first_name/last_name when given, else full_name split at its last space (a leading
 * "Dr." becoming the title). */
static int staff_names(json_object *o, bk_staff_t *s)
{
    const char *first = text_of(o, "first_name"), *last = text_of(o, "last_name"), *full = text_of(o, "full_name");
    if (first != NULL && last != NULL) {
        s->first_name = strdup(first);
        s->last_name = strdup(last);
    } else if (full != NULL) {
        if (strncmp(full, "Dr. ", 4) == 0 || strncmp(full, "Dr ", 3) == 0) {
            s->title = strdup("Dr");
            full += full[2] == '.' ? 4 : 3;
        }
        const char *sp = strrchr(full, ' ');
        s->first_name = sp != NULL ? strndup(full, (size_t)(sp - full)) : strdup(full);
        s->last_name = strdup(sp != NULL ? sp + 1 : "");
    } else {
        return -1;
    }
    return s->first_name != NULL && s->last_name != NULL ? 0 : -1;
}

static int add_location(bk_catalog_t *cat, json_object *o, const bk_strings_t *only, const char *booking_url)
{
    char id[PROV_JANE_ID_CAP];
    const char *zone = text_of(o, "time_zone");
    if (id_of(o, "id", id) != 0) return -1;
    if (only->count > 0 && !bk_strings_contains(only, id)) return 0;
    if (zone == NULL || tz_zone_load(zone) == NULL) return -1;
    bk_location_t *l = &cat->locations[cat->location_count++];
    json_object *addr = NULL;
    json_object_object_get_ex(o, "address", &addr);
    l->id = strdup(id);
    l->name = dup_opt(text_of(o, "name"));
    l->time_zone = strdup(zone);
    l->phone = dup_opt(text_of(o, "phone"));
    l->booking_url = dup_opt(booking_url);
    if (json_object_is_type(addr, json_type_object)) {
        l->line1 = dup_opt(text_of(addr, "street"));
        l->city = dup_opt(text_of(addr, "city"));
        l->region = dup_opt(text_of(addr, "province"));
        l->postal_code = dup_opt(text_of(addr, "postal_code"));
        l->country = dup_opt(text_of(addr, "country_code"));
    }
    return l->id != NULL && l->time_zone != NULL ? 0 : -1;
}

/* The name of discipline `id`, or NULL. */
static const char *discipline_name(json_object *disciplines, const char *id)
{
    for (size_t i = 0; disciplines != NULL && i < json_object_array_length(disciplines); i++) {
        json_object *d = json_object_array_get_idx(disciplines, i);
        char did[PROV_JANE_ID_CAP];
        if (id_of(d, "id", did) == 0 && strcmp(did, id) == 0) return text_of(d, "name");
    }
    return NULL;
}

static int add_staff(bk_catalog_t *cat, json_object *o, json_object *disciplines)
{
    bk_staff_t *s = &cat->staff[cat->staff_count++];
    char id[PROV_JANE_ID_CAP];
    bk_strings_t where = {0}, kinds = {0};
    int rc = -1;
    if (id_of(o, "id", id) != 0 || (s->id = strdup(id)) == NULL || staff_names(o, s) != 0) goto done;
    if (ids_of(o, "location_ids", &where) != 0 || ids_of(o, "discipline_ids", &kinds) != 0) goto done;
    for (size_t i = 0; i < cat->location_count; i++)
        if ((where.count == 0 || bk_strings_contains(&where, cat->locations[i].id)) &&
            bk_strings_push(&s->location_ids, cat->locations[i].id) != 0)
            goto done;
    for (size_t i = 0; i < kinds.count; i++) {
        const char *name = discipline_name(disciplines, kinds.items[i]);
        if (name != NULL && bk_strings_push(&s->disciplines, name) != 0) goto done;
    }
    s->ai_enabled = true;
    rc = 0;
done:
    for (size_t i = 0; i < where.count; i++) free(where.items[i]);
    for (size_t i = 0; i < kinds.count; i++) free(kinds.items[i]);
    free(where.items);
    free(kinds.items);
    return rc;
}

static int add_treatment(bk_catalog_t *cat, json_object *o, const char *currency)
{
    bk_catalog_treatment_t *t = &cat->treatments[cat->treatment_count++];
    char id[PROV_JANE_ID_CAP];
    json_object *d;
    bk_strings_t givers = {0};
    int rc = -1;
    if (id_of(o, "id", id) != 0 || (t->id = strdup(id)) == NULL || text_of(o, "name") == NULL ||
        (t->name = strdup(text_of(o, "name"))) == NULL)
        goto done;
    if (!json_object_object_get_ex(o, "treatment_duration", &d) || !json_object_is_type(d, json_type_int) ||
        json_object_get_int64(d) < 60 || json_object_get_int64(d) > 24 * 3600)
        goto done;
    t->duration_minutes = (int)((json_object_get_int64(d) + 59) / 60);
    t->price_minor = price_of(o);
    if (t->price_minor < 0) t->price_minor = 0;
    snprintf(t->currency, sizeof(t->currency), "%s", currency);
    if (ids_of(o, "staff_member_ids", &givers) != 0) goto done;
    for (size_t i = 0; i < cat->staff_count; i++) {
        bk_staff_t *s = &cat->staff[i];
        if (!bk_strings_contains(&givers, s->id)) continue;
        if (bk_strings_push(&t->staff_ids, s->id) != 0 || bk_strings_push(&s->treatment_ids, t->id) != 0) goto done;
        for (size_t k = 0; k < s->location_ids.count; k++)
            if (!bk_strings_contains(&t->location_ids, s->location_ids.items[k]) &&
                bk_strings_push(&t->location_ids, s->location_ids.items[k]) != 0)
                goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; i < givers.count; i++) free(givers.items[i]);
    free(givers.items);
    return rc;
}

bk_catalog_t *prov_jane_catalog(const prov_jane_lists_t *lists, const bk_strings_t *only, const char *currency,
                                const char *booking_url)
{
    bk_catalog_t *cat = calloc(1, sizeof(*cat));
    if (cat == NULL) return NULL;
    size_t nl = json_object_array_length(lists->locations), ns = json_object_array_length(lists->staff),
           nt = json_object_array_length(lists->treatments);
    cat->locations = calloc(nl + 1, sizeof(*cat->locations));
    cat->staff = calloc(ns + 1, sizeof(*cat->staff));
    cat->treatments = calloc(nt + 1, sizeof(*cat->treatments));
    if (cat->locations == NULL || cat->staff == NULL || cat->treatments == NULL) goto fail;
    for (size_t i = 0; i < nl; i++)
        if (add_location(cat, json_object_array_get_idx(lists->locations, i), only, booking_url) != 0) goto fail;
    for (size_t i = 0; i < ns; i++)
        if (add_staff(cat, json_object_array_get_idx(lists->staff, i), lists->disciplines) != 0) goto fail;
    for (size_t i = 0; i < nt; i++)
        if (add_treatment(cat, json_object_array_get_idx(lists->treatments, i), currency) != 0) goto fail;
    return cat;
fail:
    bk_catalog_free(cat);
    return NULL;
}

/* True when o[field] is absent or names `want`. */
static bool names(json_object *o, const char *field, const char *want)
{
    char id[PROV_JANE_ID_CAP];
    json_object *v;
    if (!json_object_object_get_ex(o, field, &v) || json_object_is_type(v, json_type_null)) return true;
    return prov_cliniko_id(v, id, sizeof(id)) == 0 && strcmp(id, want) == 0;
}

int prov_jane_openings(json_object *answer, const prov_jane_filter_t *f, prov_opening_t *out, size_t *n, size_t cap)
{
    if (!json_object_is_type(answer, json_type_array)) return -1;
    for (size_t i = 0; i < json_object_array_length(answer); i++) {
        json_object *entry = json_object_array_get_idx(answer, i), *list;
        if (!json_object_is_type(entry, json_type_object)) return -1;
        if (!json_object_object_get_ex(entry, "openings", &list) || json_object_is_type(list, json_type_null)) continue;
        if (!json_object_is_type(list, json_type_array)) return -1;
        for (size_t k = 0; k < json_object_array_length(list); k++) {
            json_object *o = json_object_array_get_idx(list, k), *d;
            const char *at = json_object_is_type(o, json_type_object) ? text_of(o, "start_at") : NULL;
            tz_instant_t start;
            if (at == NULL || tz_parse_iso(at, strlen(at), NULL, &start, NULL, 0) != 0) return -1;
            if (!json_object_object_get_ex(o, "duration", &d) || !json_object_is_type(d, json_type_int) ||
                json_object_get_int64(d) <= 0 || json_object_get_int64(d) > 24 * 3600)
                return -1;
            if (!names(o, "staff_member_id", f->staff_id) || !names(o, "treatment_id", f->treatment_id) ||
                !names(o, "location_id", f->location_id))
                continue;
            int y, m, dd;
            tz_local_date(f->zone, start, &y, &m, &dd);
            int64_t day = tz_days_from_civil(y, m, dd);
            if (day < f->first_day || day > f->last_day || *n >= cap) continue;
            out[(*n)++] = (prov_opening_t){start, start + json_object_get_int64(d) * 1000};
        }
    }
    return 0;
}
