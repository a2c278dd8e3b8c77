/* voice/host.h: what the voice conversation needs of the surface that carries a call (the GET /voice routes of
 * server/, and the voice platforms' tool calls), and the one shape in which it answers.
 *
 * voice/ knows no HTTP: it reads what the caller said through param(), and finishes by handing a vc_answer_t to
 * answer(): an outcome (a body, an API error with a sentence to say, or a provider failure), which the host renders
 * in its own format (server/voice_host.c: JSON over HTTP, status from booking/api_error.h, Retry-After, the
 * Idempotency-Key record). Asynchronous steps hold the host (hold) and give it back (release) exactly like
 * srv_request_hold/release: release returns false when the call was answered already or is gone. */
#ifndef FD_VOICE_HOST_H
#define FD_VOICE_HOST_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking/api_error.h"
#include "booking/api_json.h"
#include "booking/catalog_cache.h"
#include "providers/provider.h"

struct uv_loop_s;
typedef enum vc_answer_kind {
    VC_ANSWER_BODY,     /* success: body (which carries its "message") */
    VC_ANSWER_ERROR,    /* {"error": {code, message, field}, "message", ...extra}: a write's sayable error */
    VC_ANSWER_PLAIN,    /* {"error": {code, message, field, ...extra}}, plus "message" below 500: a read's error */
    VC_ANSWER_PROVIDER, /* the failure of a provider or cache call (status), as a plain error */
} vc_answer_kind_t;

typedef struct vc_answer {
    vc_answer_kind_t kind;
    json_object *body;    /* BODY: the answer; ERROR: extra top-level members; PLAIN: extra members of the error
                           * object (e.g. "candidates"); NULL or borrowed */
    api_error_t error;    /* ERROR, PLAIN */
    const char *message;  /* ERROR, PLAIN: the sentence (NULL: the table's default) */
    const char *field;    /* ERROR, PLAIN: the field it is about, or NULL */
    prov_status_t status; /* PROVIDER */
    bool unknown;         /* ERROR: the EMR may have written: recorded so a retry looks before writing again */
    bool retry_soon;      /* ask to retry after a second */
    bool emr_retry_after; /* ask to retry when the tenant's EMR says its limit resets */
    bool keep;            /* BODY: a complete bestSlot answer (nothing stale): the host may keep it and give it again
                           * to the same question while nothing it read has changed */
} vc_answer_t;

typedef struct vc_host_ops {
    /** Decodes the first value of `name` into out: 1 present, 0 absent or empty (out ""), -1 after the host
     * answered that it cannot be read. */
    int (*param)(void *host, const char *name, char *out, size_t cap);
    void (*hold)(void *host);
    bool (*release)(void *host);
    /** True while the call is unanswered and its caller still there. */
    bool (*open)(void *host);
    /** Answers the call (once); claim is the write's retry claim (vc_claim) or NULL. */
    void (*answer)(void *host, void *claim, const vc_answer_t *answer);
    /** Milliseconds left before the host answers on its own (its deadline). */
    int64_t (*ms_left)(void *host);
    /** From now on, a deadline the host answers on its own blames the clinic's system (emr_timeout). */
    void (*deadline_blames_emr)(void *host);
    /** Ends a write's retry claim (gives it back when nothing was recorded). NULL is fine. */
    void (*claim_end)(void *claim);
} vc_host_ops_t;

/** One call: its host and what the conversation works with (the tenant, the worker's booking environment, its
 * name matcher, renderer and speaker). */
typedef struct vc_call {
    const vc_host_ops_t *ops;
    void *host;
    const bk_tenant_t *tenant;
    bk_env_t *booking;
    struct bk_name_matcher *names;
    const bk_render_t *render;
    struct tz_speaker *speaker; /* the worker's ICU formatters (tz/tz_spoken.h) */
    struct uv_loop_s *loop;     /* the worker's event loop, for the call's timers (providers/once_timer.h) */
    uint64_t started_ns;  /* monotonic, when the call began */
    unsigned deadline_ms; /* the call's answer deadline from started_ns */
} vc_call_t;

/** The host's param (see vc_host_ops_t). */
int vc_param(const vc_call_t *v, const char *name, char *out, size_t cap);

/** Like vc_param, but answers 400 missing_field and returns false when the parameter is absent or empty. */
bool vc_param_require(const vc_call_t *v, const char *name, char *out, size_t cap);

/** Answers a body (not consumed) with "message" added. */
void vc_respond(const vc_call_t *v, json_object *body, const char *message);

/** Answers a write's body (not consumed; it carries its "message") through claim (may be NULL), which records it
 * for a retry with the same key. */
void vc_respond_write(const vc_call_t *v, void *claim, json_object *body);

/** Answers a plain error (message NULL: the table's default; field may be NULL). */
void vc_plain_error(const vc_call_t *v, api_error_t err, const char *message, const char *field);

/** Answers the failure of a provider or cache call. */
void vc_provider_failure(const vc_call_t *v, prov_status_t status);

/** Answers a sayable error through claim (may be NULL); extra (may be NULL) is consumed. */
void vc_error(const vc_call_t *v, void *claim, api_error_t err, const char *message, const char *field,
              json_object *extra);

/** Starts reading the tenant's catalog for the call (its deadline then blames the EMR). Returns true when cb will
 * be called exactly once with `data`; false after answering 503 (cb never called). cb must begin with
 * v->ops->release(v->host). */
bool vc_start_catalog(const vc_call_t *v, bk_catalog_cb cb, void *data);

#endif
