/* providers/bridge_sign.h: how Frontdesk signs each request to an EMR bridge (openapi/emr-bridge.yaml, "Signing"):
 * HMAC-SHA256, keyed with the tenant's shared secret, over the decimal Unix timestamp, a '.', and the exact body
 * bytes; sent as lower-case hex in X-Frontdesk-Signature ("v1=<hex>") beside X-Frontdesk-Timestamp. Pure. */
#ifndef FD_PROVIDERS_BRIDGE_SIGN_H
#define FD_PROVIDERS_BRIDGE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define BRIDGE_SIGNATURE_CAP 68 /* "v1=" + 64 hex digits + NUL */

/** Writes "v1=<hex HMAC-SHA256(secret, "<timestamp_s>." + body)>" into out (BRIDGE_SIGNATURE_CAP bytes).
 * Returns 0, or -1 when the HMAC cannot be computed (out is then empty). */
int bridge_sign(const char *secret, size_t secret_len, int64_t timestamp_s, const char *body, size_t body_len,
                char out[BRIDGE_SIGNATURE_CAP]);

#endif
