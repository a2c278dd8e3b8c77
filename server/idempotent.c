/* server/idempotent.c: Idempotency-Key handling of write routes (see idempotent.h). */
#include "server/idempotent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "booking/idempotency.h"
#include "server/json_read.h"
#include "server/worker.h"

struct srv_idem {
    store_t *store;
    srv_request_t *r; /* while claiming only */
    srv_idem_go_fn go;
    char key[256];
    char owner[33];
    bool settled;
};

void srv_idem_end(srv_idem_t *idem)
{
    if (idem == NULL) return;
    if (!idem->settled) bk_idem_release(idem->store, idem->key, idem->owner);
    free(idem);
}

static void on_claim(bk_idem_verdict_t verdict, int status, const char *body, size_t len, void *data)
{
    srv_idem_t *idem = data;
    srv_request_t *r = idem->r;
    if (!srv_request_release(r)) {
        if (verdict == BK_IDEM_CLAIMED || verdict == BK_IDEM_RECOVER) srv_idem_end(idem);
        else free(idem);
        return;
    }
    switch (verdict) {
    case BK_IDEM_CLAIMED:
    case BK_IDEM_RECOVER:
        idem->go(r, idem, verdict == BK_IDEM_RECOVER);
        return;
    case BK_IDEM_REPLAY: {
        char why[128];
        json_object *o = srv_json_parse(body, len, why, sizeof(why));
        if (o == NULL) {
            srv_add_header(r, "retry-after", "1");
            srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        } else {
            srv_add_header(r, "idempotent-replayed", "true");
            srv_respond_json(r, status, o);
            json_object_put(o);
        }
        break;
    }
    case BK_IDEM_IN_PROGRESS:
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_IDEMPOTENCY_IN_PROGRESS, NULL, "Idempotency-Key");
        break;
    case BK_IDEM_REUSED:
        srv_respond_error(r, API_ERR_IDEMPOTENCY_KEY_REUSED, NULL, "Idempotency-Key");
        break;
    default:
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
        break;
    }
    free(idem);
}

void srv_idem_run(srv_request_t *r, srv_idem_go_fn go)
{
    h2o_iovec_t v = r->idem_key != NULL ? h2o_iovec_init(r->idem_key, strlen(r->idem_key)) : h2o_iovec_init(NULL, 0);
    ssize_t at = r->req != NULL ? h2o_find_header_by_str(&r->req->headers, H2O_STRLIT("idempotency-key"), -1) : -1;
    if (at >= 0) v = r->req->headers.entries[at].value;
    if (v.base == NULL) {
        go(r, NULL, false);
        return;
    }
    if (v.len == 0 || v.len > BK_IDEM_KEY_MAX) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "Idempotency-Key must be 1 to 255 characters (a UUID is best).",
                          "Idempotency-Key");
        return;
    }
    srv_idem_t *idem = calloc(1, sizeof(*idem));
    char fp[65];
    unsigned char rnd[16];
    if (idem == NULL || bk_idem_fingerprint(r->route_name, r->body, fp) != 0 ||
        getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        free(idem);
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    for (int i = 0; i < 16; i++) snprintf(idem->owner + 2 * i, 3, "%02x", rnd[i]);
    idem->store = r->worker->booking.store;
    idem->r = r;
    idem->go = go;
    bk_idem_record_key(r->tenant->id, v.base, v.len, idem->key, sizeof(idem->key));
    srv_request_hold(r);
    if (bk_idem_claim(idem->store, idem->key, fp, idem->owner, on_claim, idem) != 0) {
        srv_request_release(r);
        free(idem);
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    }
}

void srv_idem_json(srv_request_t *r, srv_idem_t *idem, int status, json_object *body)
{
    if (idem != NULL && !idem->settled && status < 500) {
        size_t len;
        const char *s = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                          &len);
        bk_idem_finish(idem->store, idem->key, idem->owner, 0, status, s, len);
        idem->settled = true;
    }
    srv_respond_json(r, status, body);
}

void srv_idem_error(srv_request_t *r, srv_idem_t *idem, api_error_t err, const char *message, const char *field,
                    bool unknown)
{
    int status = api_error_status(err);
    if (idem != NULL && !idem->settled && (status < 500 || unknown)) {
        char buf[1024];
        size_t len = api_error_render(err, message, field, buf, sizeof(buf));
        bk_idem_finish(idem->store, idem->key, idem->owner, status >= 500, status, buf, len);
        idem->settled = true;
    }
    if (status == 503) srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, err, message, field);
}
