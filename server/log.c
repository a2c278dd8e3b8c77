/* server/log.c: JSON log lines on stderr (see log.h). */
#include "server/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static srv_log_level_t min_level = SRV_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void srv_log_set_level(srv_log_level_t level)
{
    min_level = level;
}

int srv_log_enabled(srv_log_level_t level)
{
    return level >= min_level;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_line(char *buf, int len, size_t cap)
{
    if (len < 0) return;
    if ((size_t)len >= cap - 1) len = (int)cap - 2;
    buf[len++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, (size_t)len);
    (void)ignored;
}

void srv_log(srv_log_level_t level, const char *msg, const char *extra_json)
{
    if (!srv_log_enabled(level)) return;
    char buf[1024];
    int len = snprintf(buf, sizeof(buf), "{\"ts\":%lld,\"level\":\"%s\",\"msg\":\"%s\"%s%s}", now_ms(),
                       level_names[level], msg, extra_json ? "," : "", extra_json ? extra_json : "");
    write_line(buf, len, sizeof(buf));
}

/* "text" as a JSON string, or null when text is NULL (text needs no escaping: ids, codes). */
static void json_string_or_null(char *out, size_t cap, const char *text)
{
    if (text != NULL) snprintf(out, cap, "\"%s\"", text);
    else snprintf(out, cap, "null");
}

void srv_log_request(const char *route, const char *method, int status, double duration_ms, const char *tenant,
                     const char *request_id, const char *error)
{
    if (!srv_log_enabled(SRV_LOG_INFO)) return;
    char buf[640], tenant_json[96], id_json[80], error_json[64];
    json_string_or_null(tenant_json, sizeof(tenant_json), tenant);
    json_string_or_null(id_json, sizeof(id_json), request_id);
    json_string_or_null(error_json, sizeof(error_json), error);
    int len = snprintf(buf, sizeof(buf),
                       "{\"ts\":%lld,\"level\":\"info\",\"msg\":\"request\",\"route\":\"%s\",\"method\":\"%s\","
                       "\"status\":%d,\"duration_ms\":%.3f,\"tenant\":%s,\"request_id\":%s,\"error\":%s}",
                       now_ms(), route, method, status, duration_ms, tenant_json, id_json, error_json);
    write_line(buf, len, sizeof(buf));
}
