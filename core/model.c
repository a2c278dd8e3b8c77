/* core/model.c: lifetime and small queries of the normalized model (see model.h). */
#include "core/model.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void strings_free(bk_strings_t *list)
{
    for (size_t i = 0; i < list->count; i++) free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

int bk_strings_push(bk_strings_t *list, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL) return -1;
    char **grown = realloc(list->items, (list->count + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(copy);
        return -1;
    }
    grown[list->count++] = copy;
    list->items = grown;
    return 0;
}

bool bk_strings_contains(const bk_strings_t *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i], id) == 0) return true;
    return false;
}

void bk_catalog_free(bk_catalog_t *c)
{
    if (c == NULL) return;
    for (size_t i = 0; i < c->location_count; i++) {
        bk_location_t *l = &c->locations[i];
        free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
        free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
    }
    for (size_t i = 0; i < c->staff_count; i++) {
        bk_staff_t *s = &c->staff[i];
        free(s->id), free(s->first_name), free(s->last_name), free(s->title), free(s->email);
        strings_free(&s->disciplines), strings_free(&s->treatment_ids), strings_free(&s->location_ids);
    }
    for (size_t i = 0; i < c->treatment_count; i++) {
        bk_catalog_treatment_t *t = &c->treatments[i];
        free(t->id), free(t->name);
        strings_free(&t->staff_ids), strings_free(&t->location_ids);
    }
    free(c->locations);
    free(c->staff);
    free(c->treatments);
    free(c);
}

long bk_catalog_find_location(const bk_catalog_t *c, const char *id)
{
    for (size_t i = 0; i < c->location_count; i++)
        if (strcmp(c->locations[i].id, id) == 0) return (long)i;
    return -1;
}

long bk_catalog_find_staff(const bk_catalog_t *c, const char *id)
{
    for (size_t i = 0; i < c->staff_count; i++)
        if (strcmp(c->staff[i].id, id) == 0) return (long)i;
    return -1;
}

long bk_catalog_find_staff_by_email(const bk_catalog_t *c, const char *email)
{
    if (email == NULL || email[0] == '\0') return -1;
    for (size_t i = 0; i < c->staff_count; i++)
        if (c->staff[i].email != NULL && strcasecmp(c->staff[i].email, email) == 0) return (long)i;
    return -1;
}

long bk_catalog_find_treatment(const bk_catalog_t *c, const char *id)
{
    for (size_t i = 0; i < c->treatment_count; i++)
        if (strcmp(c->treatments[i].id, id) == 0) return (long)i;
    return -1;
}

void bk_staff_display_name(const bk_staff_t *s, char *buf, size_t cap)
{
    if (s->title != NULL && s->title[0] != '\0')
        snprintf(buf, cap, "%s %s %s", s->title, s->first_name, s->last_name);
    else
        snprintf(buf, cap, "%s %s", s->first_name, s->last_name);
}

bool bk_tenant_allows_location(const bk_tenant_t *t, const bk_catalog_t *c, const char *id)
{
    if (bk_catalog_find_location(c, id) < 0) return false;
    return t->locations.count == 0 || bk_strings_contains(&t->locations, id);
}

void bk_tenant_retain(const bk_tenant_t *t)
{
    if (t != NULL && t->keeper != NULL) atomic_fetch_add(&t->keeper->users, 1);
}

void bk_tenant_release(const bk_tenant_t *t)
{
    if (t == NULL || t->keeper == NULL) return;
    bk_keeper_t *k = t->keeper;
    if (atomic_fetch_sub(&k->users, 1) == 1) k->on_unused(k->data);
}

const bk_location_t *bk_tenant_default_location(const bk_tenant_t *t, const bk_catalog_t *c)
{
    if (t->default_location != NULL && bk_tenant_allows_location(t, c, t->default_location))
        return &c->locations[bk_catalog_find_location(c, t->default_location)];
    for (size_t i = 0; i < c->location_count; i++)
        if (bk_tenant_allows_location(t, c, c->locations[i].id)) return &c->locations[i];
    return NULL;
}

const char *bk_appt_state_name(bk_appt_state_t state)
{
    static const char *const names[] = {"provisional", "booked", "arrived", "no_show", "cancelled", "requested"};
    return state <= BK_APPT_REQUESTED ? names[state] : "booked";
}

void bk_patient_clear(bk_patient_t *p)
{
    free(p->id), free(p->first_name), free(p->last_name), free(p->phone), free(p->email), free(p->dob);
    free(p->city), free(p->state), free(p->country);
    memset(p, 0, sizeof(*p));
}

void bk_appointment_clear(bk_appointment_t *a)
{
    free(a->id), free(a->patient_id), free(a->staff_id), free(a->treatment_id), free(a->location_id);
    memset(a, 0, sizeof(*a));
}

bool bk_appointment_copy(bk_appointment_t *dst, const bk_appointment_t *a)
{
#define DUP(s) strdup((s) != NULL ? (s) : "")
    *dst = (bk_appointment_t){.id = DUP(a->id),
                              .state = a->state,
                              .start = a->start,
                              .end = a->end,
                              .patient_id = DUP(a->patient_id),
                              .staff_id = DUP(a->staff_id),
                              .treatment_id = DUP(a->treatment_id),
                              .location_id = DUP(a->location_id)};
#undef DUP
    if (dst->id && dst->patient_id && dst->staff_id && dst->treatment_id && dst->location_id) return true;
    bk_appointment_clear(dst);
    return false;
}

void bk_patients_free(bk_patient_t *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) bk_patient_clear(&v[i]);
    free(v);
}

void bk_appointments_free(bk_appointment_t *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) bk_appointment_clear(&v[i]);
    free(v);
}
