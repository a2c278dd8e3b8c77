/* core/catalog_json.c: catalog <-> JSON in API.md shapes (see catalog_json.h). */
#include "core/catalog_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *str_or_null(const char *s)
{
    return s != NULL ? json_object_new_string(s) : NULL;
}

static json_object *strings_to_json(const bk_strings_t *list)
{
    json_object *a = json_object_new_array_ext((int)list->count);
    for (size_t i = 0; i < list->count; i++) json_object_array_add(a, json_object_new_string(list->items[i]));
    return a;
}

json_object *bk_location_to_json(const bk_location_t *l)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(l->id));
    json_object_object_add(o, "name", str_or_null(l->name));
    json_object *a = json_object_new_object();
    json_object_object_add(a, "line1", str_or_null(l->line1));
    json_object_object_add(a, "city", str_or_null(l->city));
    json_object_object_add(a, "region", str_or_null(l->region));
    json_object_object_add(a, "postal_code", str_or_null(l->postal_code));
    json_object_object_add(a, "country", str_or_null(l->country));
    json_object_object_add(o, "address", a);
    json_object_object_add(o, "phone", str_or_null(l->phone));
    json_object_object_add(o, "time_zone", str_or_null(l->time_zone));
    json_object_object_add(o, "booking_url", str_or_null(l->booking_url));
    return o;
}

json_object *bk_staff_to_json(const bk_staff_t *s)
{
    char name[256];
    bk_staff_display_name(s, name, sizeof(name));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(s->id));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "first_name", str_or_null(s->first_name));
    json_object_object_add(o, "last_name", str_or_null(s->last_name));
    json_object_object_add(o, "title", str_or_null(s->title));
    json_object_object_add(o, "email", str_or_null(s->email));
    json_object_object_add(o, "disciplines", strings_to_json(&s->disciplines));
    json_object_object_add(o, "treatment_ids", strings_to_json(&s->treatment_ids));
    json_object_object_add(o, "location_ids", strings_to_json(&s->location_ids));
    json_object_object_add(o, "ai_enabled", json_object_new_boolean(s->ai_enabled));
    return o;
}

json_object *bk_treatment_to_json(const bk_catalog_treatment_t *t)
{
    char amount[32];
    int64_t major = t->price_minor / 100, minor = t->price_minor % 100;
    snprintf(amount, sizeof(amount), "%" PRId64 ".%02" PRId64, major, minor);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(t->id));
    json_object_object_add(o, "name", str_or_null(t->name));
    json_object_object_add(o, "duration_minutes", json_object_new_int(t->duration_minutes));
    json_object *p = json_object_new_object();
    json_object_object_add(p, "amount", json_object_new_double_s((double)t->price_minor / 100.0, amount));
    json_object_object_add(p, "currency", json_object_new_string(t->currency));
    json_object_object_add(o, "price", p);
    json_object_object_add(o, "staff_ids", strings_to_json(&t->staff_ids));
    json_object_object_add(o, "location_ids", strings_to_json(&t->location_ids));
    return o;
}

json_object *bk_catalog_to_json(const bk_catalog_t *c)
{
    json_object *root = json_object_new_object();
    json_object *locations = json_object_new_array_ext((int)c->location_count);
    for (size_t i = 0; i < c->location_count; i++) json_object_array_add(locations, bk_location_to_json(&c->locations[i]));
    json_object *staff = json_object_new_array_ext((int)c->staff_count);
    for (size_t i = 0; i < c->staff_count; i++) json_object_array_add(staff, bk_staff_to_json(&c->staff[i]));
    json_object *treatments = json_object_new_array_ext((int)c->treatment_count);
    for (size_t i = 0; i < c->treatment_count; i++)
        json_object_array_add(treatments, bk_treatment_to_json(&c->treatments[i]));
    json_object_object_add(root, "locations", locations);
    json_object_object_add(root, "staff", staff);
    json_object_object_add(root, "treatments", treatments);
    return root;
}

/* ---- reading ---------------------------------------------------------------------------------------------- */

static char *dup_field(json_object *o, const char *key, bool required, bool *ok)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
        if (required) *ok = false;
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        *ok = false;
        return NULL;
    }
    char *s = strdup(json_object_get_string(v));
    if (s == NULL) *ok = false;
    return s;
}

static void read_strings(json_object *o, const char *key, bk_strings_t *out, bool *ok)
{
    json_object *a;
    if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array)) {
        *ok = false;
        return;
    }
    size_t n = json_object_array_length(a);
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (!json_object_is_type(v, json_type_string) || bk_strings_push(out, json_object_get_string(v)) != 0) {
            *ok = false;
            return;
        }
    }
}

static json_object *array_field(json_object *root, const char *key, size_t *n)
{
    json_object *a;
    if (!json_object_object_get_ex(root, key, &a) || !json_object_is_type(a, json_type_array)) return NULL;
    *n = json_object_array_length(a);
    return a;
}

static bool read_location(json_object *o, bk_location_t *l)
{
    bool ok = json_object_is_type(o, json_type_object);
    if (!ok) return false;
    l->id = dup_field(o, "id", true, &ok);
    l->name = dup_field(o, "name", false, &ok);
    json_object *a;
    if (json_object_object_get_ex(o, "address", &a) && json_object_is_type(a, json_type_object)) {
        l->line1 = dup_field(a, "line1", false, &ok);
        l->city = dup_field(a, "city", false, &ok);
        l->region = dup_field(a, "region", false, &ok);
        l->postal_code = dup_field(a, "postal_code", false, &ok);
        l->country = dup_field(a, "country", false, &ok);
    }
    l->phone = dup_field(o, "phone", false, &ok);
    l->time_zone = dup_field(o, "time_zone", false, &ok);
    l->booking_url = dup_field(o, "booking_url", false, &ok);
    return ok;
}

static bool read_staff(json_object *o, bk_staff_t *s)
{
    bool ok = json_object_is_type(o, json_type_object);
    if (!ok) return false;
    s->id = dup_field(o, "id", true, &ok);
    s->first_name = dup_field(o, "first_name", false, &ok);
    s->last_name = dup_field(o, "last_name", false, &ok);
    s->title = dup_field(o, "title", false, &ok);
    s->email = dup_field(o, "email", false, &ok);
    read_strings(o, "disciplines", &s->disciplines, &ok);
    read_strings(o, "treatment_ids", &s->treatment_ids, &ok);
    read_strings(o, "location_ids", &s->location_ids, &ok);
    json_object *v;
    s->ai_enabled = json_object_object_get_ex(o, "ai_enabled", &v) && json_object_get_boolean(v);
    if (s->first_name == NULL) s->first_name = strdup("");
    if (s->last_name == NULL) s->last_name = strdup("");
    return ok && s->first_name != NULL && s->last_name != NULL;
}

static bool read_treatment(json_object *o, bk_catalog_treatment_t *t)
{
    bool ok = json_object_is_type(o, json_type_object);
    if (!ok) return false;
    t->id = dup_field(o, "id", true, &ok);
    t->name = dup_field(o, "name", false, &ok);
    json_object *v, *p;
    if (!json_object_object_get_ex(o, "duration_minutes", &v) || !json_object_is_type(v, json_type_int)) return false;
    t->duration_minutes = json_object_get_int(v);
    if (json_object_object_get_ex(o, "price", &p) && json_object_is_type(p, json_type_object)) {
        if (json_object_object_get_ex(p, "amount", &v) &&
            (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))) {
            double amount = json_object_get_double(v);
            t->price_minor = (int64_t)(amount * 100.0 + (amount >= 0 ? 0.5 : -0.5));
        }
        if (json_object_object_get_ex(p, "currency", &v) && json_object_is_type(v, json_type_string))
            snprintf(t->currency, sizeof(t->currency), "%s", json_object_get_string(v));
    }
    read_strings(o, "staff_ids", &t->staff_ids, &ok);
    read_strings(o, "location_ids", &t->location_ids, &ok);
    return ok;
}

bk_catalog_t *bk_catalog_from_json(json_object *root)
{
    if (root == NULL || !json_object_is_type(root, json_type_object)) return NULL;
    size_t nl = 0, ns = 0, nt = 0;
    json_object *locations = array_field(root, "locations", &nl);
    json_object *staff = array_field(root, "staff", &ns);
    json_object *treatments = array_field(root, "treatments", &nt);
    if (locations == NULL || staff == NULL || treatments == NULL) return NULL;
    bk_catalog_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return NULL;
    c->locations = calloc(nl ? nl : 1, sizeof(*c->locations));
    c->staff = calloc(ns ? ns : 1, sizeof(*c->staff));
    c->treatments = calloc(nt ? nt : 1, sizeof(*c->treatments));
    if (c->locations == NULL || c->staff == NULL || c->treatments == NULL) goto fail;
    for (size_t i = 0; i < nl; i++, c->location_count++)
        if (!read_location(json_object_array_get_idx(locations, i), &c->locations[i])) goto fail_counted;
    for (size_t i = 0; i < ns; i++, c->staff_count++)
        if (!read_staff(json_object_array_get_idx(staff, i), &c->staff[i])) goto fail_counted;
    for (size_t i = 0; i < nt; i++, c->treatment_count++)
        if (!read_treatment(json_object_array_get_idx(treatments, i), &c->treatments[i])) goto fail_counted;
    return c;

fail_counted:
    /* The entry that failed was partly filled: count it so its fields are freed too. */
    if (c->treatment_count < nt && c->staff_count == ns && c->location_count == nl) c->treatment_count++;
    else if (c->staff_count < ns && c->location_count == nl) c->staff_count++;
    else if (c->location_count < nl) c->location_count++;
fail:
    bk_catalog_free(c);
    return NULL;
}
