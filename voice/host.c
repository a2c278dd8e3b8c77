/* voice/host.c: the answers every voice rule gives, in the host's one shape (see host.h). */
#include "voice/host.h"

#include <stdio.h>

int vc_param(const vc_call_t *v, const char *name, char *out, size_t cap)
{
    return v->ops->param(v->host, name, out, cap);
}

bool vc_param_require(const vc_call_t *v, const char *name, char *out, size_t cap)
{
    int got = vc_param(v, name, out, cap);
    if (got > 0) return true;
    if (got == 0) {
        char message[160];
        snprintf(message, sizeof(message), "%s is required.", name);
        vc_plain_error(v, API_ERR_MISSING_FIELD, message, name);
    }
    return false;
}

void vc_respond(const vc_call_t *v, json_object *body, const char *message)
{
    json_object_object_add(body, "message", json_object_new_string(message));
    vc_answer_t a = {.kind = VC_ANSWER_BODY, .body = body};
    v->ops->answer(v->host, NULL, &a);
}

void vc_respond_write(const vc_call_t *v, void *claim, json_object *body)
{
    vc_answer_t a = {.kind = VC_ANSWER_BODY, .body = body};
    v->ops->answer(v->host, claim, &a);
}

void vc_plain_error(const vc_call_t *v, api_error_t err, const char *message, const char *field)
{
    vc_answer_t a = {.kind = VC_ANSWER_PLAIN,
                     .error = err,
                     .message = message,
                     .field = field,
                     .retry_soon = api_error_status(err) == 503};
    v->ops->answer(v->host, NULL, &a);
}

void vc_provider_failure(const vc_call_t *v, prov_status_t status)
{
    vc_answer_t a = {.kind = VC_ANSWER_PROVIDER, .status = status};
    v->ops->answer(v->host, NULL, &a);
}

void vc_error(const vc_call_t *v, void *claim, api_error_t err, const char *message, const char *field,
              json_object *extra)
{
    vc_answer_t a = {.kind = VC_ANSWER_ERROR, .body = extra, .error = err, .message = message, .field = field};
    v->ops->answer(v->host, claim, &a);
    json_object_put(extra);
}

bool vc_start_catalog(const vc_call_t *v, bk_catalog_cb cb, void *data)
{
    v->ops->deadline_blames_emr(v->host);
    v->ops->hold(v->host);
    if (bk_catalog_get(v->booking, v->tenant, cb, data) == 0) return true;
    v->ops->release(v->host);
    vc_plain_error(v, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    return false;
}
