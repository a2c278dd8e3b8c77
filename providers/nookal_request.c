/* providers/nookal_request.c: one RPC call to Nookal v2: the form body (api_key first, every value escaped),
 * its rate budget and deadlines, the envelope decoded (HTTP 200 with "status": "failure" is a failure), the
 * provider status of the outcome, and the operator's log line when the key is refused (credential_log.h); plus the
 * small helpers the operations share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/credential_log.h"
#include "providers/nookal_internal.h"
#include "providers/once_timer.h"

typedef struct rpc {
    nookal_t *n;
    nookal_cb cb;
    void *data;
    bool record, read;
} rpc_t;

static void on_answer(const prov_http_response_t *r, void *data)
{
    rpc_t *k = data;
    prov_status_t st = prov_transport_status(r, k->read);
    if (st == PROV_OK && r->code == 429) st = PROV_RATE_LIMITED;
    if (st == PROV_OK && (r->code < 200 || r->code >= 300)) st = PROV_UPSTREAM; /* 401/403 too: same meaning */
    prov_nookal_reply_t reply;
    bool parsed = false;
    if (st == PROV_OK) {
        if (prov_nookal_reply_parse(r->body, r->body_len, k->record, &reply) != 0) {
            st = PROV_UPSTREAM; /* not an envelope: garbage, an HTML error page */
        } else {
            parsed = true;
            if (!reply.success) {
                st = reply.failure;
                if (reply.auth_failure)
                    prov_credential_refused(&k->n->key_refused_logged, k->n->tenant_id, "nookal", r->code);
            }
        }
    } else if (r->status == PROV_HTTP_OK && (r->code == 401 || r->code == 403)) {
        prov_credential_refused(&k->n->key_refused_logged, k->n->tenant_id, "nookal", r->code);
    }
    k->cb(st, st == PROV_OK ? &reply : NULL, k->data);
    if (parsed) prov_nookal_reply_clear(&reply);
    free(k);
}

/* Appends "&name=value" (value escaped) to the form: false when it does not fit. */
static bool form_add(char *form, const char *name, const char *value)
{
    size_t n = strlen(form), nl = strlen(name);
    if (n + nl + 3 >= NOOKAL_FORM_CAP) return false;
    form[n++] = '&';
    memcpy(form + n, name, nl);
    form[n + nl] = '=';
    form[n + nl + 1] = '\0';
    return prov_cliniko_query_escape(form, NOOKAL_FORM_CAP, value) == 0;
}

int nookal_call(nookal_t *n, prov_env_t *env, const char *method, const nookal_param_t *params, size_t count,
                bool record, bool read, nookal_cb cb, void *data)
{
    if (env == NULL || env->http == NULL) return -1;
    char url[NOOKAL_URL_CAP];
    int ul = snprintf(url, sizeof(url), "%s/%s", n->base_url, method);
    char *form = malloc(NOOKAL_FORM_CAP);
    rpc_t *k = malloc(sizeof(*k));
    if (ul < 0 || (size_t)ul >= sizeof(url) || form == NULL || k == NULL) goto fail;
    snprintf(form, NOOKAL_FORM_CAP, "%s", n->key_form);
    for (size_t i = 0; i < count; i++)
        if (params[i].value != NULL && !form_add(form, params[i].name, params[i].value)) goto fail;
    *k = (rpc_t){n, cb, data, record, read};
    const char *headers[] = {"Accept: application/json", "Content-Type: application/x-www-form-urlencoded", NULL};
    prov_http_request_t rq = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = form,
        .body_len = strlen(form),
        .credential = n->credential,
        .bucket = n->bucket,
        .connect_timeout_ms = n->connect_timeout_ms,
        .timeout_ms = n->timeout_ms,
        .max_in_flight = n->max_in_flight,
        .idempotent = read,
    };
    int rc = prov_http_request(env->http, &rq, on_answer, k, NULL);
    explicit_bzero(form, strlen(form)); /* it held the key */
    free(form);
    if (rc != 0) free(k);
    return rc;
fail:
    if (form != NULL) explicit_bzero(form, NOOKAL_FORM_CAP);
    free(form);
    free(k);
    return -1;
}

int nookal_defer(uv_loop_t *loop, void (*fn)(void *), void *arg)
{
    return prov_once_timer_start(loop, 0, fn, arg) != NULL ? 0 : -1;
}

bool nookal_valid_id(const char *id)
{
    return prov_id_usable(id, PROV_NOOKAL_ID_CAP);
}
