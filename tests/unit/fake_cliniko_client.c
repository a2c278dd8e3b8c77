/* tests/unit/fake_cliniko_client.c: the fake Cliniko's process and control calls for C tests (see the header). */
#include "fake_cliniko_client.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BODY_CAP 262144

static pid_t fake_pid;
static char base[128];

int fake_cliniko_start(const char *api_key)
{
    const char *py = getenv("FD_PYTHON"), *src = getenv("FD_SOURCE_DIR");
    char script[1024];
    snprintf(script, sizeof(script), "%s/tests/fakes/fake_cliniko.py", src != NULL ? src : ".");
    int fds[2], port = 0;
    if (pipe(fds) != 0) return -1;
    fake_pid = fork();
    if (fake_pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        /* These C tests run on the system clock (no tz_clock_set_offset), so the fake must too, even when the
         * integration suite's clock is pinned (tests/it/clock.py). */
        unsetenv("FD_IT_NOW");
        unsetenv("FD_IT_CLOCK_OFFSET_MS");
        execl(py != NULL ? py : "/usr/bin/python3", "python3", script, "--port", "0", "--api-key", api_key,
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[64] = {0};
    size_t n = 0;
    while (n < sizeof(line) - 1 && read(fds[0], line + n, 1) == 1 && line[n] != '\n') n++;
    close(fds[0]);
    if (sscanf(line, "ready %d", &port) != 1) return -1;
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    return 0;
}

void fake_cliniko_stop(void)
{
    if (fake_pid > 0) {
        kill(fake_pid, SIGTERM);
        waitpid(fake_pid, NULL, 0);
        fake_pid = 0;
    }
}

const char *fake_cliniko_base(void)
{
    return base;
}

static size_t sink(char *p, size_t s, size_t n, void *u)
{
    char *buf = u;
    size_t have = strlen(buf), add = s * n;
    if (have + add < BODY_CAP) {
        memcpy(buf + have, p, add);
        buf[have + add] = '\0';
    }
    return s * n;
}

json_object *fake_cliniko_call(const char *method, const char *path, const char *body)
{
    static char buf[BODY_CAP];
    buf[0] = '\0';
    char url[256];
    snprintf(url, sizeof(url), "%s%s", base, path);
    CURL *e = curl_easy_init();
    if (e == NULL) return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL) curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, buf);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_cleanup(e);
    return rc == CURLE_OK ? json_tokener_parse(buf) : NULL;
}

void fake_cliniko_control(const char *json)
{
    json_object_put(fake_cliniko_call("POST", "/__control", json));
}

int fake_cliniko_hits(const char *key, bool exact)
{
    json_object *s = fake_cliniko_call("GET", "/__stats", NULL), *req;
    int n = 0;
    if (s != NULL && json_object_object_get_ex(s, "requests", &req)) {
        json_object_object_foreach(req, k, v)
        {
            if (exact ? strcmp(k, key) == 0 : strstr(k, key) != NULL) n += json_object_get_int(v);
        }
    }
    json_object_put(s);
    return n;
}
