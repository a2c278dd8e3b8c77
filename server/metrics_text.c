/* server/metrics_text.c: Prometheus text of the counters (see metrics_text.h). Every label value comes from a
 * fixed table (metrics/metrics.h, the router's route names), none needs escaping. */
#include "server/metrics_text.h"

#include <stdio.h>
#include <stdlib.h>

#include "metrics/metrics.h"
#include "server/router.h"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The samples of one histogram series: labels is `a="x",b="y"` (no braces). */
static void histogram(FILE *out, const char *name, const char *labels, const fd_mx_histogram_t *h)
{
    uint64_t below = 0;
    for (int i = 0; i < FD_MX_BUCKETS; i++) {
        below += h->buckets[i];
        fprintf(out, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, fd_mx_bucket_seconds[i],
                (unsigned long long)below);
    }
    fprintf(out, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels, (unsigned long long)h->count);
    fprintf(out, "%s_sum{%s} %.6f\n", name, labels, (double)h->sum_us / 1e6);
    fprintf(out, "%s_count{%s} %llu\n", name, labels, (unsigned long long)h->count);
}

/* One counter family with a single label over a fixed table, every value written. */
static void by_label(FILE *out, const char *name, const char *help, const char *label, const char *const *values,
                     const uint64_t *counts, size_t n)
{
    family(out, name, "counter", help);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s{%s=\"%s\"} %llu\n", name, label, values[i], (unsigned long long)counts[i]);
}

static void single(FILE *out, const char *name, const char *type, const char *help, long long value)
{
    family(out, name, type, help);
    fprintf(out, "%s %lld\n", name, value);
}

static void http(FILE *out, const fd_mx_counts_t *c)
{
    family(out, "frontdesk_http_requests_total", "counter",
           "HTTP requests answered, by route template and status code.");
    for (unsigned r = 0; r < FD_MX_MAX_ROUTES && srv_router_route_label(r) != NULL; r++)
        for (int k = 0; k < FD_MX_CODE__COUNT; k++)
            if (c->http_requests[r][k] != 0)
                fprintf(out, "frontdesk_http_requests_total{route=\"%s\",code=\"%s\"} %llu\n",
                        srv_router_route_label(r), fd_mx_code_label(k), (unsigned long long)c->http_requests[r][k]);
    family(out, "frontdesk_http_request_duration_seconds", "histogram",
           "Time from a request's start to its answer, by route template.");
    for (unsigned r = 0; r < FD_MX_MAX_ROUTES && srv_router_route_label(r) != NULL; r++) {
        if (c->http_duration[r].count == 0) continue;
        char labels[128];
        snprintf(labels, sizeof(labels), "route=\"%s\"", srv_router_route_label(r));
        histogram(out, "frontdesk_http_request_duration_seconds", labels, &c->http_duration[r]);
    }
}

static void emr(FILE *out, const fd_mx_counts_t *c)
{
    family(out, "frontdesk_emr_requests_total", "counter",
           "Calls to the clinics' systems (EMR), by provider, operation and outcome.");
    for (int p = 0; p < FD_MX_PROVIDER__COUNT; p++)
        for (int o = 0; o < FD_MX_EMR_OP__COUNT; o++)
            for (int k = 0; k < FD_MX_EMR_OUTCOME__COUNT; k++)
                if (c->emr_calls[p][o][k] != 0)
                    fprintf(out, "frontdesk_emr_requests_total{provider=\"%s\",operation=\"%s\",outcome=\"%s\"} %llu\n",
                            fd_mx_provider_labels[p], fd_mx_emr_op_labels[o], fd_mx_emr_outcome_labels[k],
                            (unsigned long long)c->emr_calls[p][o][k]);
    family(out, "frontdesk_emr_request_duration_seconds", "histogram",
           "Time of an EMR call (queueing, rate waits and retries included), by provider and operation.");
    for (int p = 0; p < FD_MX_PROVIDER__COUNT; p++)
        for (int o = 0; o < FD_MX_EMR_OP__COUNT; o++) {
            if (c->emr_duration[p][o].count == 0) continue;
            char labels[128];
            snprintf(labels, sizeof(labels), "provider=\"%s\",operation=\"%s\"", fd_mx_provider_labels[p],
                     fd_mx_emr_op_labels[o]);
            histogram(out, "frontdesk_emr_request_duration_seconds", labels, &c->emr_duration[p][o]);
        }
}

static void booking(FILE *out, const fd_mx_counts_t *c)
{
    family(out, "frontdesk_cache_lookups_total", "counter",
           "Lookups in the answer, catalog and read caches, by cache and result (hit or miss).");
    for (int k = 0; k < FD_MX_CACHE__COUNT; k++)
        for (int hit = 1; hit >= 0; hit--)
            fprintf(out, "frontdesk_cache_lookups_total{cache=\"%s\",result=\"%s\"} %llu\n", fd_mx_cache_labels[k],
                    hit ? "hit" : "miss", (unsigned long long)c->cache_lookups[k][hit]);
    by_label(out, "frontdesk_holds_total", "Hold requests, by outcome (placed, taken by an overlapping hold, failed).",
             "outcome", fd_mx_hold_labels, c->holds, FD_MX_HOLD__COUNT);
    single(out, "frontdesk_holds_live", "gauge",
           "Holds this process placed whose hold time has not run out (sum over processes for the service).",
           (long long)c->holds_live);
    family(out, "frontdesk_bookings_total", "counter",
           "Booking writes (book, reschedule, cancel), by outcome (done, conflict, rejected, failed, unknown).");
    for (int o = 0; o < FD_MX_BOOKING_OP__COUNT; o++)
        for (int k = 0; k < FD_MX_BOOKING_OUTCOME__COUNT; k++)
            fprintf(out, "frontdesk_bookings_total{operation=\"%s\",outcome=\"%s\"} %llu\n", fd_mx_booking_op_labels[o],
                    fd_mx_booking_outcome_labels[k], (unsigned long long)c->bookings[o][k]);
    by_label(out, "frontdesk_booking_requests_total",
             "Booking requests (EMRs that cannot write), by outcome (requested, confirmed, declined, withdrawn, "
             "expired).",
             "outcome", fd_mx_request_labels, c->requests, FD_MX_REQUEST__COUNT);
    static const char *const event_names[FD_MX_EVENT__COUNT] = {
        "frontdesk_events_queued_total", "frontdesk_events_delivered_total", "frontdesk_event_delivery_retries_total",
        "frontdesk_events_dead_total"};
    static const char *const event_help[FD_MX_EVENT__COUNT] = {
        "Webhook events recorded for delivery (one per endpoint).", "Webhook events delivered (2xx).",
        "Webhook delivery attempts that failed and will be retried.",
        "Webhook events given up (retry window over, or refused by the endpoint)."};
    for (int e = 0; e < FD_MX_EVENT__COUNT; e++)
        single(out, event_names[e], "counter", event_help[e], (long long)c->events[e]);
}

static void guards(FILE *out, const fd_mx_counts_t *c)
{
    family(out, "frontdesk_redis_errors_total", "counter",
           "Redis commands that failed: an error reply, or no reply (the connection went).");
    fprintf(out, "frontdesk_redis_errors_total{kind=\"error_reply\"} %llu\n",
            (unsigned long long)c->redis[FD_MX_REDIS_ERROR_REPLY]);
    fprintf(out, "frontdesk_redis_errors_total{kind=\"no_reply\"} %llu\n",
            (unsigned long long)c->redis[FD_MX_REDIS_NO_REPLY]);
    single(out, "frontdesk_redis_connections_lost_total", "counter", "Established Redis connections lost.",
           (long long)c->redis[FD_MX_REDIS_CONNECTION_LOST]);
    single(out, "frontdesk_redis_reconnects_total", "counter", "Redis connections established again after a loss.",
           (long long)c->redis[FD_MX_REDIS_RECONNECT]);
    by_label(out, "frontdesk_rate_limited_total", "Requests refused with 429, by the limit that refused them.", "limit",
             fd_mx_limit_labels, c->rate_limited, FD_MX_LIMIT__COUNT);
    by_label(out, "frontdesk_auth_failures_total", "Requests refused for their API key, by reason.", "reason",
             fd_mx_auth_labels, c->auth_failures, FD_MX_AUTH__COUNT);
}

char *srv_metrics_render(int64_t now_s, size_t *len)
{
    fd_mx_counts_t *c = malloc(sizeof(*c));
    char *text = NULL;
    FILE *out = c != NULL ? open_memstream(&text, len) : NULL;
    if (out == NULL) {
        free(c);
        return NULL;
    }
    fd_mx_sum(c, now_s);
    family(out, "frontdesk_build_info", "gauge", "Always 1; the version of the running frontdesk.");
    fprintf(out, "frontdesk_build_info{version=\"%s\"} 1\n", FD_VERSION);
    http(out, c);
    emr(out, c);
    booking(out, c);
    guards(out, c);
    free(c);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
