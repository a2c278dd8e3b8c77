/* server/agent_tools.h: the one tool set every voice platform calls, under the same names everywhere: clinic_info,
 * best_slot, book, cancel, reschedule, patient_appointments. A tool call runs the conversation of its GET /voice
 * route with the call's named arguments in place of the query string (srv_request_begin_tool: no HTTP framing, the
 * same deadline, idempotency and retry rules), and answers through a callback. The platforms' envelopes
 * (server/agents_*.c) only unwrap the call and wrap this answer. */
#ifndef FD_SERVER_AGENT_TOOLS_H
#define FD_SERVER_AGENT_TOOLS_H

#include <json.h>

#include "server/request.h"
#include "server/worker.h"

/** The answer of one tool call: its HTTP-equivalent status (what the GET /voice route would have answered) and the
 * object the agent reads (borrowed for the callback; take a reference to keep it): "message", the sentence to say,
 * always first; "ok", whether the tool did what was asked; then the route's fields ("error" with its code and
 * field when it did not). */
typedef void (*srv_tool_done_fn)(void *data, int status, json_object *answer);

/** Runs tool `name` for the tenant of `carrier`, the request whose envelope holds the call (its worker, config and
 * request id are the call's; carrier must stay valid until done, e.g. held). args: the named arguments as an
 * object, as JSON text of one (platforms send either) or NULL (none); not consumed. idem_key (may be NULL): the
 * call's retry identity (a platform's tool call id): a write retried with it is answered as the first run was,
 * never done twice. caller_phone (may be NULL): the number the call comes from, as the platform's call object
 * gives it: best_slot without a "phone" argument gets it as one when it reads as a phone in the tenant's country
 * (the caller's history: voice/best_slot.c); no other tool uses it (a caller may book for someone else). done is
 * called exactly once, possibly before this returns: an unknown name, arguments that are not an object and a
 * failure to start are answered too, with a sentence like any other. */
void srv_tool_run(srv_request_t *carrier, const char *name, json_object *args, const char *idem_key,
                  const char *caller_phone, srv_tool_done_fn done, void *data);

/** The envelope of Retell and GHL: runs tool `name` (as srv_tool_run) for r's tenant and answers r with HTTP 200
 * and the agent's object, whatever the tool's status (an agent reads a sentence; it cannot read a 4xx). */
void srv_tool_answer(srv_request_t *r, const char *name, json_object *args, const char *idem_key,
                     const char *caller_phone);

/** The last segment of r's path after prefix (e.g. "best_slot" of "/agents/ghl/best_slot") into out; "" when the
 * path is not longer than prefix or the segment does not fit. */
void srv_tool_from_path(const srv_request_t *r, const char *prefix, char *out, size_t cap);

#endif
