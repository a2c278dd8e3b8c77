/* metrics/metrics.h: the process's counters, cheap to bump from any thread, added up when /metrics is scraped.
 *
 * Each thread that counts gets its own block of counters (fd_mx_counts_t) at its first count, kept for the life of
 * the process so nothing a thread counted is lost when it ends. A block has a single writer, so a bump is a relaxed
 * load and store on memory no other thread writes (no lock, no shared cache line); a scrape reads every block with
 * relaxed loads and adds them up (fd_mx_sum), so a total may miss a bump made during the scrape, never invent one.
 *
 * Every label value comes from the fixed tables below (and the router's route names, at most FD_MX_MAX_ROUTES):
 * nothing a request sends becomes a label, so the number of series is bounded by these tables (docs/metrics.md).
 * This folder is the bottom of the tree: it includes nothing of ours, and every layer may include it. */
#ifndef FD_METRICS_METRICS_H
#define FD_METRICS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Latency buckets (upper bounds, seconds) of every histogram: dense around the 1 s voice deadline. */
#define FD_MX_BUCKETS 13
extern const double fd_mx_bucket_seconds[FD_MX_BUCKETS];

/* A histogram: per-bucket counts (not cumulative; the last one is above the largest bound), count, sum. */
typedef struct fd_mx_histogram {
    uint64_t buckets[FD_MX_BUCKETS + 1];
    uint64_t count;
    uint64_t sum_us; /* microseconds */
} fd_mx_histogram_t;

/* HTTP status codes counted one by one; any other code is counted under its class ("1xx" ... "5xx"). */
#define FD_MX_HTTP_CODES(X)                                                                                            \
    X(200)                                                                                                             \
    X(201) X(204) X(304) X(400) X(401) X(403) X(404) X(405) X(409) X(413) X(414) X(415) X(417) X(422) X(429) X(500)    \
        X(502) X(503) X(504)
enum {
#define X(code) FD_MX_CODE_##code,
    FD_MX_HTTP_CODES(X)
#undef X
        FD_MX_CODE_CLASS_FIRST, /* then one per class 1xx..5xx */
    FD_MX_CODE__COUNT = FD_MX_CODE_CLASS_FIRST + 5
};

/* Route 0 is "unmatched" (no route of the table); the router names the others (server/router.h). */
#define FD_MX_MAX_ROUTES 40

/* EMR calls: who, what and how it ended. */
#define FD_MX_PROVIDERS(X) X(CLINIKO, "cliniko") X(BRIDGE, "bridge") X(JANE, "jane") X(PRACTICEBETTER, "practicebetter")
typedef enum fd_mx_provider {
    FD_MX_PROVIDER_NONE = 0, /* not an EMR call (a webhook delivery, a test): not counted */
#define X(name, label) FD_MX_PROVIDER_##name,
    FD_MX_PROVIDERS(X)
#undef X
        FD_MX_PROVIDER__END
} fd_mx_provider_t;
#define FD_MX_PROVIDER__COUNT (FD_MX_PROVIDER__END - 1)

#define FD_MX_EMR_OPERATIONS(X)                                                                                        \
    X(LIST_APPOINTMENTS, "list_appointments")                                                                          \
    X(GET_APPOINTMENT, "get_appointment") X(CREATE_APPOINTMENT, "create_appointment")                                  \
        X(UPDATE_APPOINTMENT, "update_appointment") X(CANCEL_APPOINTMENT, "cancel_appointment")                        \
            X(DELETE_APPOINTMENT, "delete_appointment") X(CHECK_CONFLICTS, "check_conflicts")                          \
                X(LIST_PATIENTS, "list_patients") X(CREATE_PATIENT, "create_patient")                                  \
                    X(LIST_PRACTITIONERS, "list_practitioners") X(LIST_BUSINESSES, "list_businesses")                  \
                        X(LIST_APPOINTMENT_TYPES, "list_appointment_types")                                            \
                            X(LIST_AVAILABLE_TIMES, "list_available_times") X(GET_SETTINGS, "get_settings")            \
                                X(CREATE_HOLD, "create_hold") X(RELEASE_HOLD, "release_hold") X(OTHER, "other")
typedef enum fd_mx_emr_op {
#define X(name, label) FD_MX_EMR_##name,
    FD_MX_EMR_OPERATIONS(X)
#undef X
        FD_MX_EMR_OP__COUNT
} fd_mx_emr_op_t;

#define FD_MX_EMR_OUTCOMES(X)                                                                                          \
    X(OK, "ok")                                                                                                        \
    X(CLIENT_ERROR, "client_error") X(SERVER_ERROR, "server_error") X(RATE_LIMITED, "rate_limited")                    \
        X(TIMEOUT, "timeout") X(UNAVAILABLE, "unavailable") X(ERROR, "error") X(CANCELLED, "cancelled")
typedef enum fd_mx_emr_outcome {
#define X(name, label) FD_MX_EMR_OUTCOME_##name,
    FD_MX_EMR_OUTCOMES(X)
#undef X
        FD_MX_EMR_OUTCOME__COUNT
} fd_mx_emr_outcome_t;

#define FD_MX_CACHES(X) X(ANSWER, "answer") X(CATALOG, "catalog") X(READ, "read")
typedef enum fd_mx_cache {
#define X(name, label) FD_MX_CACHE_##name,
    FD_MX_CACHES(X)
#undef X
        FD_MX_CACHE__COUNT
} fd_mx_cache_t;

#define FD_MX_HOLD_OUTCOMES(X) X(PLACED, "placed") X(TAKEN, "taken") X(FAILED, "failed")
typedef enum fd_mx_hold_outcome {
#define X(name, label) FD_MX_HOLD_##name,
    FD_MX_HOLD_OUTCOMES(X)
#undef X
        FD_MX_HOLD__COUNT
} fd_mx_hold_outcome_t;

#define FD_MX_BOOKING_OPS(X) X(BOOK, "book") X(RESCHEDULE, "reschedule") X(CANCEL, "cancel")
typedef enum fd_mx_booking_op {
#define X(name, label) FD_MX_BOOKING_##name,
    FD_MX_BOOKING_OPS(X)
#undef X
        FD_MX_BOOKING_OP__COUNT
} fd_mx_booking_op_t;

#define FD_MX_BOOKING_OUTCOMES(X)                                                                                      \
    X(DONE, "done") X(CONFLICT, "conflict") X(REJECTED, "rejected") X(FAILED, "failed") X(UNKNOWN, "unknown")
typedef enum fd_mx_booking_outcome {
#define X(name, label) FD_MX_BOOKING_OUTCOME_##name,
    FD_MX_BOOKING_OUTCOMES(X)
#undef X
        FD_MX_BOOKING_OUTCOME__COUNT
} fd_mx_booking_outcome_t;

/* Booking requests (booking/requests.h): recorded, then closed once: confirmed by the clinic, declined by it,
 * withdrawn by the caller, or expired unanswered. */
#define FD_MX_REQUEST_OUTCOMES(X)                                                                                      \
    X(REQUESTED, "requested")                                                                                          \
    X(CONFIRMED, "confirmed") X(DECLINED, "declined") X(WITHDRAWN, "withdrawn") X(EXPIRED, "expired")
typedef enum fd_mx_request_outcome {
#define X(name, label) FD_MX_REQUEST_##name,
    FD_MX_REQUEST_OUTCOMES(X)
#undef X
        FD_MX_REQUEST__COUNT
} fd_mx_request_outcome_t;

/* Webhook events: recorded for delivery (one per endpoint), delivered, failed an attempt (retried later), dead. */
#define FD_MX_EVENT_STAGES(X) X(QUEUED, "queued") X(DELIVERED, "delivered") X(RETRIED, "retried") X(DEAD, "dead")
typedef enum fd_mx_event_stage {
#define X(name, label) FD_MX_EVENT_##name,
    FD_MX_EVENT_STAGES(X)
#undef X
        FD_MX_EVENT__COUNT
} fd_mx_event_stage_t;

/* Redis: an error reply, a command that got no reply (its connection went), an established connection lost, a
 * connection established again after one was lost. */
#define FD_MX_REDIS_EVENTS(X)                                                                                          \
    X(ERROR_REPLY, "error_reply")                                                                                      \
    X(NO_REPLY, "no_reply") X(CONNECTION_LOST, "connection_lost") X(RECONNECT, "reconnect")
typedef enum fd_mx_redis_event {
#define X(name, label) FD_MX_REDIS_##name,
    FD_MX_REDIS_EVENTS(X)
#undef X
        FD_MX_REDIS__COUNT
} fd_mx_redis_event_t;

/* Requests refused by a limit: the tenant's rate limit, a widget key's limits, the wrong-key throttle. */
#define FD_MX_LIMITS(X) X(TENANT, "tenant") X(WIDGET, "widget") X(AUTH_THROTTLE, "auth_throttle")
typedef enum fd_mx_limit {
#define X(name, label) FD_MX_LIMIT_##name,
    FD_MX_LIMITS(X)
#undef X
        FD_MX_LIMIT__COUNT
} fd_mx_limit_t;

/* Requests refused for their key: none sent, one no tenant has, a widget key used from elsewhere. */
#define FD_MX_AUTH_FAILURES(X)                                                                                         \
    X(MISSING_KEY, "missing_key") X(WRONG_KEY, "wrong_key") X(WIDGET_REFUSED, "widget_refused")
typedef enum fd_mx_auth_failure {
#define X(name, label) FD_MX_AUTH_##name,
    FD_MX_AUTH_FAILURES(X)
#undef X
        FD_MX_AUTH__COUNT
} fd_mx_auth_failure_t;

/* Holds are counted live on a wheel of expiry seconds: more slots than the longest hold lasts (hold_seconds is at
 * most 3600), so two live holds of different seconds never share a slot. */
#define FD_MX_HOLD_WHEEL 4096

/** Every counter, by its labels. A thread's block, and the sum of all of them (fd_mx_sum). */
typedef struct fd_mx_counts {
    uint64_t http_requests[FD_MX_MAX_ROUTES][FD_MX_CODE__COUNT];
    fd_mx_histogram_t http_duration[FD_MX_MAX_ROUTES];
    uint64_t emr_calls[FD_MX_PROVIDER__COUNT][FD_MX_EMR_OP__COUNT][FD_MX_EMR_OUTCOME__COUNT];
    fd_mx_histogram_t emr_duration[FD_MX_PROVIDER__COUNT][FD_MX_EMR_OP__COUNT];
    uint64_t cache_lookups[FD_MX_CACHE__COUNT][2]; /* [0] misses, [1] hits */
    uint64_t holds[FD_MX_HOLD__COUNT];
    uint64_t hold_wheel[FD_MX_HOLD_WHEEL]; /* (expiry second << 24) | holds placed expiring then */
    int64_t holds_live;                    /* fd_mx_sum's result: placed holds not expired at its now */
    uint64_t bookings[FD_MX_BOOKING_OP__COUNT][FD_MX_BOOKING_OUTCOME__COUNT];
    uint64_t requests[FD_MX_REQUEST__COUNT];
    uint64_t events[FD_MX_EVENT__COUNT];
    uint64_t redis[FD_MX_REDIS__COUNT];
    uint64_t rate_limited[FD_MX_LIMIT__COUNT];
    uint64_t auth_failures[FD_MX_AUTH__COUNT];
} fd_mx_counts_t;

/** Label texts of the tables above, indexed by their enums. */
extern const char *const fd_mx_provider_labels[FD_MX_PROVIDER__COUNT];
extern const char *const fd_mx_emr_op_labels[FD_MX_EMR_OP__COUNT];
extern const char *const fd_mx_emr_outcome_labels[FD_MX_EMR_OUTCOME__COUNT];
extern const char *const fd_mx_cache_labels[FD_MX_CACHE__COUNT];
extern const char *const fd_mx_hold_labels[FD_MX_HOLD__COUNT];
extern const char *const fd_mx_booking_op_labels[FD_MX_BOOKING_OP__COUNT];
extern const char *const fd_mx_booking_outcome_labels[FD_MX_BOOKING_OUTCOME__COUNT];
extern const char *const fd_mx_request_labels[FD_MX_REQUEST__COUNT];
extern const char *const fd_mx_event_labels[FD_MX_EVENT__COUNT];
extern const char *const fd_mx_redis_labels[FD_MX_REDIS__COUNT];
extern const char *const fd_mx_limit_labels[FD_MX_LIMIT__COUNT];
extern const char *const fd_mx_auth_labels[FD_MX_AUTH__COUNT];

/** The label text of a code index ("404", or "4xx" for a code counted under its class). */
const char *fd_mx_code_label(int code_index);

/** Counts one answered request of route `route` (0 = unmatched, else < FD_MX_MAX_ROUTES; larger counts as 0) with
 * HTTP `status`, `duration_us` after it began. */
void fd_mx_http_request(unsigned route, int status, uint64_t duration_us);

/** Counts one EMR call (provider NONE: nothing) ended with `outcome` after `duration_us`. */
void fd_mx_emr_call(fd_mx_provider_t provider, fd_mx_emr_op_t op, fd_mx_emr_outcome_t outcome, uint64_t duration_us);

/** Counts a lookup in one of the caches. */
void fd_mx_cache_lookup(fd_mx_cache_t cache, bool hit);

/** Counts a hold request's outcome. */
void fd_mx_hold(fd_mx_hold_outcome_t outcome);

/** Counts a hold placed until `expires_s` (Unix seconds) as live until then. */
void fd_mx_hold_live_until(int64_t expires_s);

/** Counts the outcome of a booking write. */
void fd_mx_booking(fd_mx_booking_op_t op, fd_mx_booking_outcome_t outcome);

/** Counts a booking request recorded, or closed one way (once per request and way, when it is durable). */
void fd_mx_booking_request(fd_mx_request_outcome_t outcome);

/** Counts `n` webhook events reaching `stage`. */
void fd_mx_event(fd_mx_event_stage_t stage, unsigned n);

/** Counts a Redis event. */
void fd_mx_redis(fd_mx_redis_event_t event);

/** Counts a request refused by a limit. */
void fd_mx_rate_limited(fd_mx_limit_t limit);

/** Counts a request refused for its key. */
void fd_mx_auth_failure(fd_mx_auth_failure_t reason);

/** Adds up every thread's counters into `out` (overwritten), holds_live as of `now_s` (Unix seconds). Safe from any
 * thread at any time, while others count. */
void fd_mx_sum(fd_mx_counts_t *out, int64_t now_s);

#endif
