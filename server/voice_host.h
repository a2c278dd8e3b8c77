/* server/voice_host.h: server/ as the host of a voice call (voice/host.h): the call's parameters are its query
 * string, and its answers are rendered as JSON over HTTP (status from booking/api_error.h, Retry-After, the
 * Idempotency-Key record of write routes). */
#ifndef FD_SERVER_VOICE_HOST_H
#define FD_SERVER_VOICE_HOST_H

#include "server/request.h"
#include "voice/host.h"

/** The voice call carried by r (r->tenant set): kept inside r, valid while r is. */
const vc_call_t *srv_voice_call(srv_request_t *r);

#endif
