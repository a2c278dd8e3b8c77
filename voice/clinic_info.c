/* voice/clinic_info.c: the clinic as a voice agent needs it on a call: who is bookable by AI, what can be booked,
 * where, and one sentence to say (see conversations.h). */
#include "voice/conversations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/catalog_cache.h"
#include "core/catalog_json.h"
#include "voice/bookable.h"

/* "5 practitioners and 7 treatments at Sydney CBD and Vancouver Kitsilano." (names up to three places). */
static void say(char *buf, size_t cap, size_t staff, size_t treatments, const char **places, size_t n_places)
{
    int len = snprintf(buf, cap, "We have %zu practitioner%s offering %zu treatment%s", staff, staff == 1 ? "" : "s",
                       treatments, treatments == 1 ? "" : "s");
    if (len < 0 || (size_t)len >= cap) return;
    if (n_places > 3) {
        snprintf(buf + len, cap - (size_t)len, " at %zu locations.", n_places);
        return;
    }
    for (size_t i = 0; i < n_places && (size_t)len < cap; i++) {
        const char *glue = i == 0 ? " at " : i + 1 == n_places ? " and " : ", ";
        int w = snprintf(buf + len, cap - (size_t)len, "%s%s", glue, places[i]);
        if (w < 0) return;
        len += w;
    }
    if ((size_t)len + 1 < cap) buf[len++] = '.', buf[len] = '\0';
}

static void on_catalog(prov_status_t status, const bk_catalog_t *c, bk_catalog_source_t source, void *data)
{
    const vc_call_t *v = data;
    if (!v->ops->release(v->host)) return;
    if (status != PROV_OK) {
        vc_provider_failure(v, status);
        return;
    }
    const bk_tenant_t *t = v->tenant;
    json_object *staff = json_object_new_array(), *treatments = json_object_new_array();
    json_object *locations = json_object_new_array();
    const char *places[4];
    size_t n_places = 0, n_staff = 0, n_treatments = 0;
    for (size_t i = 0; i < c->location_count; i++) {
        if (!bk_tenant_allows_location(t, c, c->locations[i].id)) continue;
        json_object_array_add(locations, bk_location_to_json(&c->locations[i]));
        if (n_places < 4) places[n_places] = c->locations[i].name ? c->locations[i].name : c->locations[i].id;
        n_places++;
    }
    for (size_t i = 0; i < c->staff_count; i++)
        if (vc_staff_bookable(t, c, &c->staff[i], NULL))
            json_object_array_add(staff, bk_staff_to_json(&c->staff[i])), n_staff++;
    for (size_t i = 0; i < c->treatment_count; i++)
        if (vc_treatment_bookable(t, c, &c->treatments[i]))
            json_object_array_add(treatments, bk_treatment_to_json(&c->treatments[i])), n_treatments++;
    char message[256];
    say(message, sizeof(message), n_staff, n_treatments, places, n_places);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "staff", staff);
    json_object_object_add(body, "treatments", treatments);
    json_object_object_add(body, "locations", locations);
    json_object_object_add(body, "source", json_object_new_string(source == BK_SOURCE_LIVE ? "live" : "cache"));
    if (source == BK_SOURCE_STALE) json_object_object_add(body, "stale", json_object_new_boolean(1));
    vc_respond(v, body, message);
    json_object_put(body);
}

void vc_clinic_info(const vc_call_t *v)
{
    vc_start_catalog(v, on_catalog, (void *)v);
}
