/* providers/jane_request.c: one GET of a Jane clinic's public booking site: Frontdesk's User-Agent, the site's
 * rate budget and in-flight cap (politeness: it is the clinic's shop window), the answer parsed as JSON, and the
 * provider status of the outcome. Nothing is ever written to Jane. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/jane_internal.h"

/* Says who reads the site and how to reach its operator, as a polite crawler does. */
#define JANE_USER_AGENT "User-Agent: Frontdesk/1.0 (voice receptionist; reads public openings; ops@frontdesk.example)"

typedef struct get {
    jane_cb cb;
    void *data;
} get_t;

static prov_status_t status_of(const prov_http_response_t *r)
{
    if (r->status != PROV_HTTP_OK) return prov_transport_status(r, true); /* Jane is only read */
    if (r->code == 429) return PROV_RATE_LIMITED;
    return r->code >= 200 && r->code < 300 ? PROV_OK : PROV_UPSTREAM;
}

static void on_answer(const prov_http_response_t *r, void *data)
{
    get_t *g = data;
    prov_status_t st = status_of(r);
    json_object *doc = NULL;
    if (st == PROV_OK) {
        json_tokener *tok = json_tokener_new_ex(32);
        if (tok != NULL) {
            doc = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
            if (json_tokener_get_error(tok) != json_tokener_success) {
                json_object_put(doc);
                doc = NULL;
            }
            json_tokener_free(tok);
        }
        if (doc == NULL) st = PROV_UPSTREAM; /* the booking app's HTML shell, or garbage */
    }
    g->cb(st, doc, g->data);
    json_object_put(doc);
    free(g);
}

int jane_get(jane_t *j, prov_env_t *env, const char *path_and_query, fd_mx_emr_op_t op, jane_cb cb, void *data)
{
    if (env == NULL || env->http == NULL) return -1;
    char url[JANE_URL_CAP];
    int ul = snprintf(url, sizeof(url), "%s%s", j->base_url, path_and_query);
    if (ul < 0 || (size_t)ul >= sizeof(url)) return -1;
    get_t *g = malloc(sizeof(*g));
    if (g == NULL) return -1;
    *g = (get_t){cb, data};
    const char *headers[] = {"Accept: application/json", JANE_USER_AGENT, NULL};
    prov_http_request_t rq = {
        .method = "GET",
        .url = url,
        .headers = headers,
        .credential = j->credential,
        .bucket = j->bucket,
        .connect_timeout_ms = j->connect_timeout_ms,
        .timeout_ms = j->timeout_ms,
        .max_in_flight = j->max_in_flight,
        .idempotent = true,
        .metric_provider = FD_MX_PROVIDER_JANE,
        .metric_op = op,
    };
    if (prov_http_request(env->http, &rq, on_answer, g, NULL) != 0) {
        free(g);
        return -1;
    }
    return 0;
}
