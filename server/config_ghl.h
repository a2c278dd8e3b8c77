/* server/config_ghl.h: a tenant's GoHighLevel webhook tokens in the config ("ghl_webhook_tokens_sha256": the
 * SHA-256 digests of one or two tokens, made by `frontdesk ghl-token`), and the tenant a webhook path's token
 * belongs to. GoHighLevel workflow webhooks send no headers, so the secret is the path segment of
 * /ghl/<token>/bookAppt (and update_appt, cancel_appt). */
#ifndef FD_SERVER_CONFIG_GHL_H
#define FD_SERVER_CONFIG_GHL_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

#define SRV_GHL_TOKEN_BYTES 32 /* random bytes of a token; written as 64 hex digits */

/** Reads the array of one or two 64-hex-digit digests `v` into the tenant. Returns false with a sentence in
 * problem (for the config's path) when it is anything else or repeats a digest. */
bool srv_config_read_ghl_tokens(json_object *v, bk_tenant_t *tenant, char *problem, size_t cap);

/** True when two tenants have a GHL webhook token in common. */
bool srv_ghl_tokens_shared(const bk_tenant_t *a, const bk_tenant_t *b);

/** The tenant among tenants[0..count) one of whose GHL webhook tokens is token[0..len), or NULL. Every digest of every
 * tenant is compared in constant time, so timing tells nothing about how much of a token was right. */
const bk_tenant_t *srv_ghl_tenant(const bk_tenant_t *tenants, size_t count, const char *token, size_t len);

/** Writes a new token (64 lowercase hex digits from the system's randomness) into token and its digest's hex into
 * digest_hex. Returns false when there is no randomness. */
bool srv_ghl_token_new(char token[65], char digest_hex[65]);

#endif
