/* server/json_read.c: strict whole-buffer JSON parsing (see json_read.h). */
#include "server/json_read.h"

#include "server/json_strict.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_object *srv_json_parse(const char *buf, size_t len, char *why, size_t why_cap)
{
    if (len > (size_t)INT32_MAX) {
        snprintf(why, why_cap, "JSON too large");
        return NULL;
    }
    size_t bad_at;
    if (!srv_json_strict_valid(buf, len, &bad_at)) {
        snprintf(why, why_cap, bad_at >= len ? "truncated JSON" : "not standard JSON at byte %zu", bad_at);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    json_object *obj = json_tokener_parse_ex(tok, buf, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (obj == NULL) {
        if (jerr == json_tokener_continue || jerr == json_tokener_success)
            snprintf(why, why_cap, "truncated JSON");
        else
            snprintf(why, why_cap, "%s at byte %zu", json_tokener_error_desc(jerr), end);
        json_tokener_free(tok);
        return NULL;
    }
    /* json-c stops after the first complete value; anything but white space after it is an error. */
    for (size_t i = end; i < len; i++) {
        char c = buf[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            snprintf(why, why_cap, "unexpected text after the JSON value at byte %zu", i);
            json_object_put(obj);
            json_tokener_free(tok);
            return NULL;
        }
    }
    json_tokener_free(tok);
    return obj;
}

json_object *srv_json_read_file(const char *path, size_t max_bytes, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, why_cap, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    json_object *obj = NULL;
    char *buf = malloc(max_bytes + 1);
    if (buf == NULL) {
        snprintf(why, why_cap, "out of memory");
        goto done;
    }
    size_t n = fread(buf, 1, max_bytes + 1, f);
    if (ferror(f)) {
        snprintf(why, why_cap, "cannot read %s", path);
        goto done;
    }
    if (n > max_bytes) {
        snprintf(why, why_cap, "%s is larger than %zu bytes", path, max_bytes);
        goto done;
    }
    char inner[160];
    obj = srv_json_parse(buf, n, inner, sizeof(inner));
    if (obj == NULL) snprintf(why, why_cap, "%s is not valid JSON: %s", path, inner);

done:
    free(buf);
    fclose(f);
    return obj;
}
