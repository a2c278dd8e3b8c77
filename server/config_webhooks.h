/* server/config_webhooks.h: a tenant's "webhooks" config: its endpoints, checked at start (docs/events.md). */
#ifndef FD_SERVER_CONFIG_WEBHOOKS_H
#define FD_SERVER_CONFIG_WEBHOOKS_H

#include <json.h>
#include <stddef.h>

#include "booking/events.h"

/** Reads the array of endpoints at `path` (e.g. "tenants[0].webhooks"). Returns the endpoints (free with
 * bk_webhooks_free), or NULL with "<json path>: <problem>" in why (e.g. "tenants[0].webhooks[1].url: must not
 * point at a private or loopback address unless allow_private_addresses is true"). */
bk_webhooks_t *srv_config_read_webhooks(json_object *value, const char *path, char *why, size_t why_cap);

#endif
