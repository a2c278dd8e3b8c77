/* server/agent_tools.c: the tool set of the voice platforms, run as tool calls of the GET /voice routes (see
 * agent_tools.h). */
#include "server/agent_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/phone.h"
#include "server/json_read.h"
#include "server/routes.h"

typedef struct tool {
    const char *name;
    const char *route; /* the GET route whose conversation it is: its name in logs and Idempotency-Key records */
    void (*handler)(srv_request_t *r);
} tool_t;

static const tool_t tools[] = {
    {"clinic_info", "/voice/clinic-info", srv_route_voice_clinic_info},
    {"best_slot", "/voice/bestSlot", srv_route_voice_best_slot},
    {"book", "/voice/book", srv_route_voice_book},
    {"cancel", "/voice/cancel", srv_route_voice_cancel},
    {"reschedule", "/voice/reschedule", srv_route_voice_reschedule},
    {"patient_appointments", "/voice/patientAppointments", srv_route_voice_patient_appointments},
};

#define UNKNOWN_TOOL_SENTENCE                                                                                          \
    "I can't do that here; the tools are clinic_info, best_slot, book, cancel, reschedule and "                        \
    "patient_appointments."
#define BAD_ARGUMENTS_SENTENCE "I couldn't read that request's details; please try again with them."
/* A retried call arriving while its first run is still working: the route's words are about a header. */
#define STILL_WORKING_SENTENCE "I'm still working on that; please ask me again in a moment."

typedef struct pending {
    srv_tool_done_fn done;
    void *data;
} pending_t;

static const tool_t *find(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(tools) / sizeof(tools[0]); i++)
        if (strcmp(tools[i].name, name) == 0) return &tools[i];
    return NULL;
}

void srv_tool_from_path(const srv_request_t *r, const char *prefix, char *out, size_t cap)
{
    const h2o_iovec_t path = r->req->path_normalized;
    size_t skip = strlen(prefix);
    out[0] = '\0';
    if (path.len > skip && path.len - skip < cap) snprintf(out, cap, "%.*s", (int)(path.len - skip), path.base + skip);
}

/* The agent's object from a route's answer: "message" first (the route's, else its error's), "ok", the rest. */
static json_object *agent_answer(int status, json_object *body)
{
    json_object *answer = json_object_new_object(), *message = NULL, *error = NULL, *code = NULL;
    json_object_object_get_ex(body, "error", &error);
    if (!json_object_object_get_ex(body, "message", &message) && error != NULL)
        json_object_object_get_ex(error, "message", &message);
    const char *say =
        message != NULL ? json_object_get_string(message) : "Sorry, something went wrong; please try again.";
    if (json_object_object_get_ex(error, "code", &code) &&
        strcmp(json_object_get_string(code), api_error_code(API_ERR_IDEMPOTENCY_IN_PROGRESS)) == 0)
        say = STILL_WORKING_SENTENCE;
    json_object_object_add(answer, "message", json_object_new_string(say));
    json_object_object_add(answer, "ok", json_object_new_boolean(status < 300));
    json_object_object_foreach(body, k, v)
    {
        if (strcmp(k, "message") != 0) json_object_object_add(answer, k, json_object_get(v));
    }
    return answer;
}

static void finish(srv_tool_done_fn done, void *data, int status, json_object *body)
{
    json_object *answer = agent_answer(status, body);
    done(data, status, answer);
    json_object_put(answer);
}

/* Answers without running a route: err with its sentence, about field. */
static void refuse(srv_tool_done_fn done, void *data, api_error_t err, const char *message, const char *field)
{
    char text[1024];
    size_t len = api_error_render(err, message, field, text, sizeof(text));
    char why[128];
    json_object *body = srv_json_parse(text, len, why, sizeof(why));
    finish(done, data, api_error_status(err), body != NULL ? body : json_object_new_object());
    json_object_put(body);
}

static void on_answer(void *data, int status, json_object *json, const char *text, size_t len)
{
    pending_t p = *(pending_t *)data;
    free(data);
    char why[128];
    json_object *body = json != NULL ? json_object_get(json) : srv_json_parse(text, len, why, sizeof(why));
    if (body == NULL) {
        refuse(p.done, p.data, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    finish(p.done, p.data, status, body);
    json_object_put(body);
}

/* best_slot's arguments with the caller's number as "phone" when they name none and it reads as a phone (a
 * withheld number does not): a new object, or named itself (a new reference either way; named is consumed). */
static json_object *with_caller_phone(const srv_request_t *carrier, const tool_t *tool, json_object *named,
                                      const char *caller_phone)
{
    char e164[BK_PHONE_CAP], why[128];
    json_object *copy = NULL;
    if (caller_phone == NULL || strcmp(tool->name, "best_slot") != 0 ||
        json_object_object_get_ex(named, "phone", NULL) ||
        bk_phone_normalize(caller_phone, carrier->tenant->country, e164, why, sizeof(why)) != 0 ||
        json_object_deep_copy(named, &copy, NULL) != 0)
        return named;
    json_object_put(named);
    json_object_object_add(copy, "phone", json_object_new_string(e164));
    return copy;
}

void srv_tool_run(srv_request_t *carrier, const char *name, json_object *args, const char *idem_key,
                  const char *caller_phone, srv_tool_done_fn done, void *data)
{
    const tool_t *tool = find(name);
    if (tool == NULL) {
        refuse(done, data, API_ERR_UNKNOWN_TOOL, UNKNOWN_TOOL_SENTENCE, "name");
        return;
    }
    json_object *named = NULL;
    char why[128];
    if (args == NULL || json_object_is_type(args, json_type_null))
        named = json_object_new_object();
    else if (json_object_is_type(args, json_type_object))
        named = json_object_get(args);
    else if (json_object_is_type(args, json_type_string))
        named =
            srv_json_parse(json_object_get_string(args), (size_t)json_object_get_string_len(args), why, sizeof(why));
    if (named == NULL || !json_object_is_type(named, json_type_object)) {
        json_object_put(named);
        refuse(done, data, API_ERR_INVALID_FIELD, BAD_ARGUMENTS_SENTENCE, "arguments");
        return;
    }
    named = with_caller_phone(carrier, tool, named, caller_phone);
    pending_t *p = malloc(sizeof(*p));
    srv_request_t *r = p != NULL ? srv_request_begin_tool(carrier, tool->route, named, idem_key, on_answer, p) : NULL;
    json_object_put(named);
    if (r == NULL) {
        free(p);
        refuse(done, data, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    *p = (pending_t){done, data};
    tool->handler(r);
}

static void on_one(void *data, int status, json_object *answer)
{
    srv_request_t *r = data;
    (void)status;
    if (srv_request_release(r)) srv_respond_json(r, 200, answer);
}

void srv_tool_answer(srv_request_t *r, const char *name, json_object *args, const char *idem_key,
                     const char *caller_phone)
{
    srv_request_hold(r);
    srv_tool_run(r, name, args, idem_key, caller_phone, on_one, r);
}
