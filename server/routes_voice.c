/* server/routes_voice.c: the GET /voice routes: each reads its query as the parameters of a voice call and hands
 * the call to its conversation (voice/conversations.h), which answers through server/voice_host.c. The writes run
 * under the request's Idempotency-Key (the query as the body it fingerprints); bestSlot answers a question asked
 * again within a second, with nothing it read changed since, from the worker's answer cache. */
#include "server/routes.h"

#include "booking/answer_cache.h"
#include "booking/worker_store.h"
#include "server/idempotent.h"
#include "server/query.h"
#include "server/voice_host.h"
#include "server/voice_write.h"
#include "server/worker.h"
#include "voice/conversations.h"

void srv_route_voice_clinic_info(srv_request_t *r)
{
    vc_clinic_info(srv_voice_call(r));
}

void srv_route_voice_best_slot(srv_request_t *r)
{
    srv_worker_t *w = r->worker;
    if (bk_env_cache_epoch(&w->booking, &r->keep_epoch)) {
        size_t query_len, len;
        int status;
        const char *query = srv_query_raw(r, &query_len);
        const char *kept = bk_answer_cache_get(w->answers, r->tenant->id, query, query_len, r->keep_epoch,
                                               uv_now(&w->loop), &len, &status);
        if (kept != NULL) {
            srv_respond_json_text(r, status, kept, len);
            return;
        }
        r->may_keep = true;
    }
    vc_best_slot(srv_voice_call(r));
}

void srv_route_voice_patient_appointments(srv_request_t *r)
{
    vc_patient_appointments(srv_voice_call(r));
}

static void book_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    (void)recovering; /* the voice retry record reconciles a run whose outcome was unknown */
    vc_book(srv_voice_call(r), idem);
}

static void cancel_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    vc_cancel(srv_voice_call(r), idem, recovering);
}

static void reschedule_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    vc_reschedule(srv_voice_call(r), idem, recovering);
}

void srv_route_voice_book(srv_request_t *r)
{
    if (srv_voice_query_body(r)) srv_idem_run(r, book_go);
}

void srv_route_voice_cancel(srv_request_t *r)
{
    if (srv_voice_query_body(r)) srv_idem_run(r, cancel_go);
}

void srv_route_voice_reschedule(srv_request_t *r)
{
    if (srv_voice_query_body(r)) srv_idem_run(r, reschedule_go);
}
