/* booking/event_sign.h: Standard Webhooks signatures (https://www.standardwebhooks.com): the secrets an endpoint is
 * configured with ("whsec_" + base64) and the webhook-signature header of one delivery. */
#ifndef FD_BOOKING_EVENT_SIGN_H
#define FD_BOOKING_EVENT_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking/events.h"

/* "v1," + base64 of 32 bytes (44) per secret, space-separated, NUL. */
#define BK_WEBHOOK_SIGNATURE_CAP (BK_WEBHOOK_MAX_SECRETS * 48 + 1)

/** Decodes a secret written "whsec_<base64>" into out (at most BK_WEBHOOK_SECRET_MAX bytes). Returns the number
 * of bytes (at least 16), or -1 when the text is not of that form. */
int bk_webhook_secret_decode(const char *text, unsigned char out[BK_WEBHOOK_SECRET_MAX]);

/** Writes the webhook-signature header value of a delivery into out: "v1,<base64 HMAC-SHA256 of
 * id "." timestamp "." body>" for each of the endpoint's secrets, separated by a space, so a receiver that knows
 * either secret of a rotation verifies it. Returns false when OpenSSL fails. */
bool bk_webhook_sign(const bk_webhook_endpoint_t *endpoint, const char *id, int64_t timestamp, const char *body,
                     size_t body_len, char out[BK_WEBHOOK_SIGNATURE_CAP]);

#endif
