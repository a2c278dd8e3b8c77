/* providers/http_client.h: the asynchronous HTTP client EMR providers share: libcurl multi on a worker's uv
 * loop, with deadlines, retries of idempotent reads, per-credential rate limits and in-flight caps, and
 * coalescing of identical concurrent GETs.
 *
 * One prov_http_t per worker loop (owned by the worker: prov_http_create / prov_http_destroy); it is not
 * thread-safe and must only be used on its loop's thread. A rate bucket (prov_http_bucket_t) is owned by
 * whoever owns the credential (a provider instance) and is thread-safe, so every worker of the process draws
 * from the same per-credential budget.
 *
 * Every request is bounded: a total deadline (queueing, rate waits, retries and backoff included), a connect
 * deadline per attempt, a response-size cap, a bounded wait queue per credential. Nothing blocks the loop
 * (libcurl's threaded resolver does DNS). Response bodies and URLs are never logged. */
#ifndef FD_PROVIDERS_HTTP_CLIENT_H
#define FD_PROVIDERS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "metrics/metrics.h"

typedef struct prov_http prov_http_t;
typedef struct prov_http_req prov_http_req_t;
typedef struct prov_http_bucket prov_http_bucket_t;

#define PROV_HTTP_CONNECT_TIMEOUT_MS 2000
#define PROV_HTTP_TIMEOUT_MS 8000
#define PROV_HTTP_MAX_RESPONSE (4u << 20)
#define PROV_HTTP_MAX_IN_FLIGHT 8  /* per credential and worker */
#define PROV_HTTP_MAX_QUEUED 256   /* per credential and worker, waiting for an in-flight slot */
#define PROV_HTTP_MAX_ATTEMPTS 3   /* the first try and at most 2 retries */
#define PROV_HTTP_HEADER_VALUE_CAP 512

/** How a request ended. Only PROV_HTTP_OK carries an HTTP status code (any code, 2xx or not). */
typedef enum prov_http_status {
    PROV_HTTP_OK = 0,
    PROV_HTTP_TIMEOUT,      /* the total deadline passed (connect, transfer, queueing or backoff) */
    PROV_HTTP_UNAVAILABLE,  /* could not connect / resolve, connection dropped, or the wait queue was full */
    PROV_HTTP_RATE_LIMITED, /* our bucket or the server's 429 needs longer than the deadline allows */
    PROV_HTTP_TOO_LARGE,    /* the response exceeded max_response_bytes */
    PROV_HTTP_CANCELLED,    /* the client was destroyed with the request in flight */
    PROV_HTTP_ERROR,        /* any other transport failure (TLS, protocol, ...) */
} prov_http_status_t;

/** A finished request, borrowed during the completion callback only. */
typedef struct prov_http_response {
    prov_http_status_t status;
    long code;             /* HTTP status of the last attempt (0 when none arrived) */
    const char *body;      /* NUL-terminated (the NUL is not counted in body_len); never NULL */
    size_t body_len;
    const char *location;  /* the Location header or NULL */
    int64_t retry_after_ms; /* from Retry-After / X-RateLimit-Reset of the last answer, else -1 */
    int attempts;          /* upstream attempts made (0 when it never left the queue) */
    bool shared;           /* the answer of a transfer shared with identical concurrent GETs */
    bool address_refused;  /* public_only: the host resolved only to addresses that are not public */
} prov_http_response_t;

/** Called exactly once per accepted request (unless cancelled with prov_http_cancel). */
typedef void (*prov_http_cb)(const prov_http_response_t *response, void *data);

/** One request. Strings are copied by prov_http_request; nothing here needs to outlive the call. */
typedef struct prov_http_request {
    const char *method;          /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *url;             /* absolute http:// or https:// URL */
    const char *const *headers;  /* "Name: value" strings, NULL-terminated; may be NULL */
    const char *body;            /* may be NULL */
    size_t body_len;
    const char *credential;      /* who the request is made as: keys the in-flight cap and coalescing; NULL = "" */
    prov_http_bucket_t *bucket;  /* the credential's rate budget; NULL = unlimited */
    int connect_timeout_ms;      /* per attempt; 0 = PROV_HTTP_CONNECT_TIMEOUT_MS */
    int timeout_ms;              /* total, from this call to the callback; 0 = PROV_HTTP_TIMEOUT_MS */
    size_t max_response_bytes;   /* 0 = PROV_HTTP_MAX_RESPONSE */
    int max_in_flight;           /* per credential on this client; 0 = PROV_HTTP_MAX_IN_FLIGHT */
    bool idempotent;             /* a read: retried on connection errors and 502/503/504 (<= 2 retries, backoff
                                  * with jitter, within the deadline); a GET with no body is also coalesced */
    bool public_only;            /* connect only to public addresses (providers/net_guard.h), checked on each
                                  * resolved address before connecting; refused: PROV_HTTP_UNAVAILABLE with
                                  * address_refused */
    fd_mx_provider_t metric_provider; /* an EMR call: counted under this provider and metric_op when it ends
                                       * (metrics/metrics.h: outcome and duration, once per transfer: a GET
                                       * coalesced into another counts once); FD_MX_PROVIDER_NONE (0) = not counted */
    fd_mx_emr_op_t metric_op;
} prov_http_request_t;

/** Creates a client on `loop` (call on the loop's thread). Returns NULL when out of memory or libcurl fails. */
prov_http_t *prov_http_create(uv_loop_t *loop);

/** Cancels every request in flight or queued (each callback fires once, synchronously, with
 * PROV_HTTP_CANCELLED) and frees the client once libuv has closed its handles: the loop must run afterwards.
 * Must not be called from inside one of the client's completion callbacks. NULL is fine. */
void prov_http_destroy(prov_http_t *http);

/** Starts a request. Returns 0 and calls cb exactly once later (never from inside this call), or returns -1
 * (bad arguments, client closing, out of memory) and never calls it. When handle is not NULL it receives a
 * handle for prov_http_cancel, valid until the callback runs or the request is cancelled. Rate-limit,
 * queue-full and deadline failures are reported through the callback. Writes are retried only after a 429
 * (the server did not process them); never after a timeout or a connection error. */
int prov_http_request(prov_http_t *http, const prov_http_request_t *request, prov_http_cb cb, void *data,
                      prov_http_req_t **handle);

/** Withdraws a request whose caller went away: its callback will not be called. The upstream transfer is
 * aborted unless identical GETs still share it. The handle is invalid afterwards. NULL is fine. */
void prov_http_cancel(prov_http_req_t *handle);

/** Transfers started upstream so far (attempts, retries included) and requests answered by a shared
 * transfer, for metrics and tests. */
void prov_http_stats(const prov_http_t *http, uint64_t *upstream_attempts, uint64_t *coalesced);

/** Creates a token bucket: `per_minute` requests a minute sustained, bursts of up to `burst` (>= 1).
 * Thread-safe. Owned by the credential's owner; destroy it after every client using it has finished. */
prov_http_bucket_t *prov_http_bucket_create(double per_minute, int burst);

/** Frees a bucket. NULL is fine. */
void prov_http_bucket_destroy(prov_http_bucket_t *bucket);

/** The milliseconds until the bucket has a token again (0: now), the server's 429 reset included; takes none. */
int64_t prov_http_bucket_wait_ms(prov_http_bucket_t *bucket);

/** Takes one token now: returns 0 when taken, else the milliseconds until one can be (the server's 429
 * reset included). For tests and for callers that want to shed load early. */
int64_t prov_http_bucket_take(prov_http_bucket_t *bucket);

#endif
