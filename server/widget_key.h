/* server/widget_key.h: publishable widget keys: keys a clinic may put in its web pages (README "Booking widget").
 *
 * A widget key belongs to one tenant, is valid only from the web origins the tenant lists, may use only the routes
 * a booking page needs (srv_widget_route_allowed), and has limits of its own per client address, per key and per
 * tenant (server/widget_gate.h) instead of the tenant's API rate limit. The key is public by design: it is kept
 * and compared as text; it only ever stands for "a web page of this clinic". */
#ifndef FD_SERVER_WIDGET_KEY_H
#define FD_SERVER_WIDGET_KEY_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

#define SRV_WIDGET_KEY_MIN    16 /* characters after "pk_" */
#define SRV_WIDGET_KEY_MAX    100
#define SRV_WIDGET_ORIGIN_MAX 200

/** How much one widget key may do (config "limits"; defaults in config_widget.c). */
typedef struct srv_widget_limits {
    int requests_per_minute;             /* by all addresses together, per key */
    int requests_per_minute_per_address; /* per client address */
    int open_holds_per_address;          /* createAppt calls that count for the tenant's hold_seconds */
    int open_holds;                      /* the same, by every widget key of the tenant together */
    int patients_per_hour_per_address;   /* patients created through lookup-create-patient */
} srv_widget_limits_t;

typedef struct srv_widget_key {
    char *key; /* "pk_" + 16-100 of [A-Za-z0-9_-] */
    const bk_tenant_t *tenant;
    size_t index;   /* in the config's widget_keys, names its per-key counter */
    char **origins; /* exact origins ("https://clinic.example", "http://127.0.0.1:8080"), lower case */
    size_t origin_count;
    bool demo_page; /* the key GET /widget/demo embeds */
    srv_widget_limits_t limits;
} srv_widget_key_t;

/** Reads a tenant's "widget_keys" array (at `path`, e.g. "tenants[0].widget_keys") and appends its keys to
 * *keys (*count of them so far), for `tenant`. Returns true, or false with "<json path>: <problem>" in why. */
bool srv_widget_keys_read(json_object *value, const char *path, const bk_tenant_t *tenant, srv_widget_key_t **keys,
                          size_t *count, char *why, size_t why_cap);

/** Checks the keys of all tenants together: no key twice, at most one demo_page, no widget key that is also a
 * tenant's API key. Returns true, or false with the JSON path of the offending key in why. */
bool srv_widget_keys_check(const srv_widget_key_t *keys, size_t count, const bk_tenant_t *tenants, size_t tenant_count,
                           char *why, size_t why_cap);

/** Frees what srv_widget_keys_read made. */
void srv_widget_keys_free(srv_widget_key_t *keys, size_t count);

/** The widget key whose text is key[0..len), or NULL. */
const srv_widget_key_t *srv_widget_key_find(const srv_widget_key_t *keys, size_t count, const char *key, size_t len);

/** True when origin[0..len) is one of the key's origins (exact, ASCII case-insensitive). */
bool srv_widget_origin_allowed(const srv_widget_key_t *key, const char *origin, size_t len);

/** True when s is letters, digits, '-' and '_' only (a key's tail, a BCP 47 tag): text safe in HTML as is. */
bool srv_widget_token_ok(const char *s);

/** True when a route (its table name, e.g. "/ai_brain/createAppt") is one a booking page needs. */
bool srv_widget_route_allowed(const char *route_name);

#endif
