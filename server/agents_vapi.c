/* server/agents_vapi.c: POST /agents/vapi, Vapi's server URL: a "tool-calls" message's calls (toolCallList, or the
 * toolWithToolCallList form) run at once through the tool set (server/agent_tools.h) and are answered together as
 * {"results": [{"toolCallId", "result"}]} with HTTP 200, each result one line of JSON text whose "message" is the
 * sentence to say. Other messages Vapi sends a server URL (status updates, reports) are acknowledged with {}. The
 * caller's number (call.customer.number) reaches best_slot as its "phone" when the call names none. */
#include "server/routes.h"

#include <stdlib.h>
#include <string.h>

#include "server/agent_tools.h"

#define MAX_CALLS 16 /* tool calls answered in one message (Vapi sends a few at most); any beyond are not run */
#define ID_CAP    128

typedef struct batch {
    srv_request_t *r;
    size_t n, pending; /* pending counts the starter too, so a call answered at once cannot end the batch early */
    json_object *results[MAX_CALLS];
    char ids[MAX_CALLS][ID_CAP];
} batch_t;

typedef struct slot {
    batch_t *batch;
    size_t index;
} slot_t;

static void settle(batch_t *b)
{
    if (--b->pending > 0) return;
    if (srv_request_release(b->r)) {
        json_object *body = json_object_new_object(), *results = json_object_new_array();
        for (size_t i = 0; i < b->n; i++) json_object_array_add(results, json_object_get(b->results[i]));
        json_object_object_add(body, "results", results);
        srv_respond_json(b->r, 200, body);
        json_object_put(body);
    }
    for (size_t i = 0; i < b->n; i++) json_object_put(b->results[i]);
    free(b);
}

static void on_done(void *data, int status, json_object *answer)
{
    slot_t s = *(slot_t *)data;
    free(data);
    (void)status;
    size_t len;
    const char *text = srv_json_text(answer, &len); /* plain: one line, as Vapi wants */
    json_object *result = json_object_new_object();
    json_object_object_add(result, "toolCallId", json_object_new_string(s.batch->ids[s.index]));
    json_object_object_add(result, "result", json_object_new_string_len(text, (int)len));
    s.batch->results[s.index] = result;
    settle(s.batch);
}

static json_object *member(json_object *o, const char *name)
{
    json_object *v = NULL;
    return o != NULL && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* A call's name and arguments: at its top level, or inside "function" (the OpenAI form Vapi also sends). */
static const char *call_name(json_object *call)
{
    json_object *v = member(call, "name");
    if (v == NULL) v = member(member(call, "function"), "name");
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static json_object *call_arguments(json_object *call)
{
    json_object *v = member(call, "arguments");
    return v != NULL ? v : member(member(call, "function"), "arguments");
}

/* The number the call comes from: the call's customer, else the message's (Vapi sends both on phone calls); NULL
 * on a web call or a withheld number. */
static const char *caller_number(json_object *message)
{
    json_object *v = member(member(member(message, "call"), "customer"), "number");
    if (!json_object_is_type(v, json_type_string)) v = member(member(message, "customer"), "number");
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The message's calls: toolCallList, else the toolCall of each toolWithToolCallList entry. */
static size_t calls_of(json_object *message, json_object **calls, size_t cap)
{
    size_t n = 0;
    json_object *list = member(message, "toolCallList");
    if (json_object_is_type(list, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(list) && n < cap; i++)
            calls[n++] = json_object_array_get_idx(list, i);
        return n;
    }
    list = member(message, "toolWithToolCallList");
    for (size_t i = 0; json_object_is_type(list, json_type_array) && i < json_object_array_length(list) && n < cap; i++)
        calls[n++] = member(json_object_array_get_idx(list, i), "toolCall");
    return n;
}

void srv_route_agents_vapi(srv_request_t *r)
{
    json_object *message = member(r->body, "message"), *type = member(message, "type");
    if (!json_object_is_type(message, json_type_object)) {
        srv_respond_error(r, API_ERR_MISSING_FIELD, "Vapi sends its server messages in a \"message\" object.",
                          "message");
        return;
    }
    if (type == NULL || strcmp(json_object_get_string(type), "tool-calls") != 0) {
        json_object *ack = json_object_new_object();
        srv_respond_json(r, 200, ack);
        json_object_put(ack);
        return;
    }
    batch_t *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    json_object *calls[MAX_CALLS];
    b->r = r;
    b->n = calls_of(message, calls, MAX_CALLS);
    b->pending = b->n + 1;
    srv_request_hold(r);
    for (size_t i = 0; i < b->n; i++) {
        json_object *id = member(calls[i], "id");
        snprintf(b->ids[i], ID_CAP, "%s", json_object_is_type(id, json_type_string) ? json_object_get_string(id) : "");
        slot_t *s = malloc(sizeof(*s));
        if (s == NULL) {
            b->results[i] = json_object_new_object(); /* out of memory: an empty result rather than none */
            b->pending--;
            continue;
        }
        *s = (slot_t){b, i};
        char key[ID_CAP + 8];
        snprintf(key, sizeof(key), "vapi:%s", b->ids[i]);
        srv_tool_run(r, call_name(calls[i]), call_arguments(calls[i]), b->ids[i][0] ? key : NULL,
                     caller_number(message), on_done, s);
    }
    settle(b);
}
