/* server/metrics_text.h: the process's counters (metrics/metrics.h) in the Prometheus text exposition format. */
#ifndef FD_SERVER_METRICS_TEXT_H
#define FD_SERVER_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define SRV_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/** Renders every metric family (docs/metrics.md) as of now_s (Unix seconds, for holds live): HELP and TYPE lines
 * for each family, even one with no sample yet; a sample per series seen (counters of fixed small label sets are
 * all written, zeros included). Returns a malloc'd text and its length in *len, or NULL when out of memory. Any
 * thread. */
char *srv_metrics_render(int64_t now_s, size_t *len);

#endif
