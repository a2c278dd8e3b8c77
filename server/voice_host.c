/* server/voice_host.c: a GET /voice request as the host of a voice call (see voice_host.h). */
#include "server/voice_host.h"

#include "booking/answer_cache.h"
#include "server/fields.h"
#include "server/idempotent.h"
#include "server/query.h"
#include "server/worker.h"

/* What a caller hears when our own Redis is down, restarting or hung. */
#define REDIS_SENTENCE "The booking service is briefly unavailable; please try again in a moment."

static int param(void *host, const char *name, char *out, size_t cap)
{
    return srv_query_get(host, name, out, cap);
}

static void hold(void *host)
{
    srv_request_hold(host);
}

static bool release(void *host)
{
    return srv_request_release(host);
}

static bool open_(void *host)
{
    return srv_request_open(host);
}

static int64_t ms_left(void *host)
{
    return srv_request_ms_left(host);
}

static void deadline_blames_emr(void *host)
{
    ((srv_request_t *)host)->deadline_error = API_ERR_EMR_TIMEOUT;
}

static void claim_end(void *claim)
{
    srv_idem_end(claim);
}

/* {"error": {code, message, field}, "message", ...extra}: below 500 stored for replay under claim. */
static void answer_error(srv_request_t *r, srv_idem_t *idem, const vc_answer_t *a)
{
    api_error_t err = a->error;
    const char *message = a->message, *field = a->field;
    if (a->unknown) {
        srv_idem_error(r, idem, err, message, field, true);
        return;
    }
    if (srv_redis_to_blame(r, err)) {
        err = API_ERR_REDIS_UNAVAILABLE;
        message = REDIS_SENTENCE;
        field = NULL;
    }
    const char *say = message != NULL ? message : api_error_message(err);
    json_object *error = json_object_new_object();
    json_object_object_add(error, "code", json_object_new_string(api_error_code(err)));
    json_object_object_add(error, "message", json_object_new_string(say));
    json_object_object_add(error, "field", field != NULL ? json_object_new_string(field) : NULL);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", error);
    if (a->body != NULL) {
        json_object_object_foreach(a->body, k, v) json_object_object_add(body, k, json_object_get(v));
    }
    json_object_object_add(body, "message", json_object_new_string(say));
    int status = api_error_status(err);
    if (status == 503) srv_add_header(r, "retry-after", "1");
    if (status < 500)
        srv_idem_json(r, idem, status, body);
    else
        srv_respond_json(r, status, body); /* not stored: srv_idem_end gives the claim back */
    json_object_put(body);
}

/* {"error": {code, message, field, ...extra}, "message"}: the sentence also at the top level, where an agent's
 * response path reads it (every /voice 4xx carries it; a 5xx is the plain error). */
static void answer_plain(srv_request_t *r, const vc_answer_t *a)
{
    if (api_error_status(a->error) >= 500 || srv_redis_to_blame(r, a->error)) {
        srv_respond_error(r, a->error, a->message, a->field);
        return;
    }
    const char *say = a->message != NULL ? a->message : api_error_message(a->error);
    json_object *error = json_object_new_object();
    json_object_object_add(error, "code", json_object_new_string(api_error_code(a->error)));
    json_object_object_add(error, "message", json_object_new_string(say));
    json_object_object_add(error, "field", a->field != NULL ? json_object_new_string(a->field) : NULL);
    if (a->body != NULL) {
        json_object_object_foreach(a->body, k, v) json_object_object_add(error, k, json_object_get(v));
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", error);
    json_object_object_add(body, "message", json_object_new_string(say));
    srv_respond_json(r, api_error_status(a->error), body);
    json_object_put(body);
}

static void answer(void *host, void *claim, const vc_answer_t *a)
{
    srv_request_t *r = host;
    if (a->emr_retry_after)
        srv_add_emr_retry_after(r);
    else if (a->retry_soon)
        srv_add_header(r, "retry-after", "1");
    switch (a->kind) {
    case VC_ANSWER_BODY:
        if (a->keep && r->may_keep && r->view == r->worker->views.current) {
            /* bestSlot's complete answer: kept for the same question (its query, or a tool call's arguments);
             * not one made on a config a reload replaced, for the requests of the new one */
            srv_worker_t *w = r->worker;
            size_t len, query_len;
            const char *text = srv_json_text(a->body, &len), *query = srv_query_raw(r, &query_len);
            bk_answer_cache_put(w->answers, r->tenant->id, query, query_len, r->keep_epoch, uv_now(&w->loop), 200,
                                text, len);
            srv_respond_json_text(r, 200, text, len);
        } else if (claim != NULL)
            srv_idem_json(r, claim, 200, a->body);
        else
            srv_respond_json(r, 200, a->body);
        break;
    case VC_ANSWER_ERROR:
        answer_error(r, claim, a);
        break;
    case VC_ANSWER_PLAIN:
        answer_plain(r, a);
        break;
    case VC_ANSWER_PROVIDER:
        srv_respond_provider_failure(r, a->status);
        break;
    }
}

static const vc_host_ops_t ops = {.param = param,
                                  .hold = hold,
                                  .release = release,
                                  .open = open_,
                                  .answer = answer,
                                  .ms_left = ms_left,
                                  .deadline_blames_emr = deadline_blames_emr,
                                  .claim_end = claim_end};

const vc_call_t *srv_voice_call(srv_request_t *r)
{
    r->voice = (vc_call_t){.ops = &ops,
                           .host = r,
                           .tenant = r->tenant,
                           .booking = &r->worker->booking,
                           .names = r->worker->names,
                           .render = srv_render(r),
                           .speaker = r->worker->speaker,
                           .loop = &r->worker->loop,
                           .started_ns = r->started_ns,
                           .deadline_ms = r->deadline_ms};
    return &r->voice;
}
