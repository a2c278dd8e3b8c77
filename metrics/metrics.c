/* metrics/metrics.c: per-thread counter blocks and their sum (see metrics.h). */
#include "metrics/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const double fd_mx_bucket_seconds[FD_MX_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                    0.75,  1.0,  1.5,   2.5,  5.0, 10.0};
static const uint64_t bucket_us[FD_MX_BUCKETS] = {5000,   10000,   25000,   50000,   100000,  250000,  500000,
                                                  750000, 1000000, 1500000, 2500000, 5000000, 10000000};

#define LABEL(name, label) label,
const char *const fd_mx_provider_labels[FD_MX_PROVIDER__COUNT] = {FD_MX_PROVIDERS(LABEL)};
const char *const fd_mx_emr_op_labels[FD_MX_EMR_OP__COUNT] = {FD_MX_EMR_OPERATIONS(LABEL)};
const char *const fd_mx_emr_outcome_labels[FD_MX_EMR_OUTCOME__COUNT] = {FD_MX_EMR_OUTCOMES(LABEL)};
const char *const fd_mx_cache_labels[FD_MX_CACHE__COUNT] = {FD_MX_CACHES(LABEL)};
const char *const fd_mx_hold_labels[FD_MX_HOLD__COUNT] = {FD_MX_HOLD_OUTCOMES(LABEL)};
const char *const fd_mx_booking_op_labels[FD_MX_BOOKING_OP__COUNT] = {FD_MX_BOOKING_OPS(LABEL)};
const char *const fd_mx_booking_outcome_labels[FD_MX_BOOKING_OUTCOME__COUNT] = {FD_MX_BOOKING_OUTCOMES(LABEL)};
const char *const fd_mx_request_labels[FD_MX_REQUEST__COUNT] = {FD_MX_REQUEST_OUTCOMES(LABEL)};
const char *const fd_mx_event_labels[FD_MX_EVENT__COUNT] = {FD_MX_EVENT_STAGES(LABEL)};
const char *const fd_mx_redis_labels[FD_MX_REDIS__COUNT] = {FD_MX_REDIS_EVENTS(LABEL)};
const char *const fd_mx_limit_labels[FD_MX_LIMIT__COUNT] = {FD_MX_LIMITS(LABEL)};
const char *const fd_mx_auth_labels[FD_MX_AUTH__COUNT] = {FD_MX_AUTH_FAILURES(LABEL)};
#undef LABEL

static const int codes[FD_MX_CODE_CLASS_FIRST] = {
#define X(code) code,
    FD_MX_HTTP_CODES(X)
#undef X
};
static const char *const code_texts[FD_MX_CODE__COUNT] = {
#define X(code) #code,
    FD_MX_HTTP_CODES(X)
#undef X
        "1xx",
    "2xx", "3xx", "4xx", "5xx"};

const char *fd_mx_code_label(int code_index)
{
    return code_index >= 0 && code_index < FD_MX_CODE__COUNT ? code_texts[code_index] : "5xx";
}

static int code_index(int status)
{
    for (int i = 0; i < FD_MX_CODE_CLASS_FIRST; i++)
        if (codes[i] == status) return i;
    int cls = status / 100;
    return FD_MX_CODE_CLASS_FIRST + (cls >= 1 && cls <= 5 ? cls - 1 : 4);
}

/* A thread's block, in the list of every block ever made. */
typedef struct block {
    fd_mx_counts_t counts;
    struct block *next;
} block_t;

static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static block_t *blocks; /* every thread's, newest first; never freed (the process's counts) */
static block_t discard; /* counts of a thread that could not get a block: summed by nobody */
static _Thread_local block_t *mine;

static fd_mx_counts_t *counts(void)
{
    if (mine != NULL) return &mine->counts;
    block_t *b = calloc(1, sizeof(*b));
    if (b == NULL) return &discard.counts;
    pthread_mutex_lock(&blocks_lock);
    b->next = blocks;
    __atomic_store_n(&blocks, b, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&blocks_lock);
    mine = b;
    return &b->counts;
}

/* The one writer of a counter adds to it; readers on other threads see whole values. */
static void bump(uint64_t *counter, uint64_t n)
{
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static uint64_t peek(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

static void observe(fd_mx_histogram_t *h, uint64_t duration_us)
{
    int i = 0;
    while (i < FD_MX_BUCKETS && duration_us > bucket_us[i]) i++;
    bump(&h->buckets[i], 1);
    bump(&h->sum_us, duration_us);
    bump(&h->count, 1);
}

void fd_mx_http_request(unsigned route, int status, uint64_t duration_us)
{
    fd_mx_counts_t *c = counts();
    if (route >= FD_MX_MAX_ROUTES) route = 0;
    bump(&c->http_requests[route][code_index(status)], 1);
    observe(&c->http_duration[route], duration_us);
}

void fd_mx_emr_call(fd_mx_provider_t provider, fd_mx_emr_op_t op, fd_mx_emr_outcome_t outcome, uint64_t duration_us)
{
    if (provider <= FD_MX_PROVIDER_NONE || provider >= FD_MX_PROVIDER__END) return;
    if ((unsigned)op >= FD_MX_EMR_OP__COUNT) op = FD_MX_EMR_OTHER;
    if ((unsigned)outcome >= FD_MX_EMR_OUTCOME__COUNT) outcome = FD_MX_EMR_OUTCOME_ERROR;
    fd_mx_counts_t *c = counts();
    bump(&c->emr_calls[provider - 1][op][outcome], 1);
    observe(&c->emr_duration[provider - 1][op], duration_us);
}

void fd_mx_cache_lookup(fd_mx_cache_t cache, bool hit)
{
    bump(&counts()->cache_lookups[cache][hit ? 1 : 0], 1);
}

void fd_mx_hold(fd_mx_hold_outcome_t outcome)
{
    bump(&counts()->holds[outcome], 1);
}

#define WHEEL_COUNT_BITS 24
#define WHEEL_COUNT_MASK ((1ull << WHEEL_COUNT_BITS) - 1)

void fd_mx_hold_live_until(int64_t expires_s)
{
    if (expires_s <= 0) return;
    uint64_t *slot = &counts()->hold_wheel[(uint64_t)expires_s % FD_MX_HOLD_WHEEL];
    uint64_t v = peek(slot);
    if ((v >> WHEEL_COUNT_BITS) != (uint64_t)expires_s) v = (uint64_t)expires_s << WHEEL_COUNT_BITS; /* a past second */
    if ((v & WHEEL_COUNT_MASK) != WHEEL_COUNT_MASK) v++;
    __atomic_store_n(slot, v, __ATOMIC_RELAXED);
}

void fd_mx_booking(fd_mx_booking_op_t op, fd_mx_booking_outcome_t outcome)
{
    bump(&counts()->bookings[op][outcome], 1);
}

void fd_mx_booking_request(fd_mx_request_outcome_t outcome)
{
    if ((unsigned)outcome < FD_MX_REQUEST__COUNT) bump(&counts()->requests[outcome], 1);
}

void fd_mx_event(fd_mx_event_stage_t stage, unsigned n)
{
    bump(&counts()->events[stage], n);
}

void fd_mx_redis(fd_mx_redis_event_t event)
{
    bump(&counts()->redis[event], 1);
}

void fd_mx_rate_limited(fd_mx_limit_t limit)
{
    bump(&counts()->rate_limited[limit], 1);
}

void fd_mx_auth_failure(fd_mx_auth_failure_t reason)
{
    bump(&counts()->auth_failures[reason], 1);
}

/* Adds n counters of `from` into `to`. */
static void add_all(uint64_t *to, const uint64_t *from, size_t n)
{
    for (size_t i = 0; i < n; i++) to[i] += peek(&from[i]);
}

#define ADD(field) add_all((uint64_t *)&out->field, (const uint64_t *)&b->counts.field, sizeof(out->field) / 8)

void fd_mx_sum(fd_mx_counts_t *out, int64_t now_s)
{
    memset(out, 0, sizeof(*out));
    for (const block_t *b = __atomic_load_n(&blocks, __ATOMIC_ACQUIRE); b != NULL; b = b->next) {
        ADD(http_requests);
        ADD(http_duration);
        ADD(emr_calls);
        ADD(emr_duration);
        ADD(cache_lookups);
        ADD(holds);
        ADD(bookings);
        ADD(requests);
        ADD(events);
        ADD(redis);
        ADD(rate_limited);
        ADD(auth_failures);
        for (size_t i = 0; i < FD_MX_HOLD_WHEEL; i++) {
            uint64_t v = peek(&b->counts.hold_wheel[i]);
            int64_t second = (int64_t)(v >> WHEEL_COUNT_BITS);
            if (second > now_s && second <= now_s + FD_MX_HOLD_WHEEL)
                out->holds_live += (int64_t)(v & WHEEL_COUNT_MASK);
        }
    }
}
