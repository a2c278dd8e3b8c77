/* server/body.c: request body to JSON object (see body.h). */
#include "server/body.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "server/json_read.h"

/* Media type, lower-cased, without parameters or spaces. */
static void media_type(const char *v, size_t len, char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; v != NULL && k < len && v[k] != ';' && n + 1 < cap; k++)
        if (!isspace((unsigned char)v[k])) buf[n++] = (char)tolower((unsigned char)v[k]);
    buf[n] = '\0';
}

static bool is_json_media_type(const char *t)
{
    if (t[0] == '\0' || strcmp(t, "application/json") == 0) return true;
    size_t n = strlen(t);
    return strncmp(t, "application/", 12) == 0 && n > 17 && strcmp(t + n - 5, "+json") == 0;
}

api_error_t srv_body_parse(const char *content_type, size_t content_type_len, const char *body, size_t len,
                           json_object **out, char *message, size_t message_cap)
{
    char type[128];
    *out = NULL;
    message[0] = '\0';
    media_type(content_type, content_type_len, type, sizeof(type));
    bool form = strcmp(type, "application/x-www-form-urlencoded") == 0;
    if (!is_json_media_type(type) && !form) return API_ERR_UNSUPPORTED_MEDIA_TYPE;
    if (len > SRV_MAX_BODY_BYTES) return API_ERR_BODY_TOO_LARGE;
    bool blank = true;
    for (size_t i = 0; i < len && blank; i++)
        if (!isspace((unsigned char)body[i])) blank = false;
    if (body == NULL || blank) {
        *out = json_object_new_object(); /* no body means no optional fields: the same as {} */
        return API_ERR__COUNT;
    }
    char why[160];
    json_object *obj = srv_json_parse(body, len, why, sizeof(why));
    if (obj == NULL) {
        if (form) return API_ERR_UNSUPPORTED_MEDIA_TYPE; /* a real form is not for us */
        snprintf(message, message_cap, "The request body is not valid JSON (%s).", why);
        return API_ERR_INVALID_JSON;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        snprintf(message, message_cap, "The request body must be a JSON object.");
        return API_ERR_INVALID_JSON;
    }
    *out = obj;
    return API_ERR__COUNT;
}

/* True when v, or any string inside it, holds a NUL byte. */
static bool holds_nul(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string: return strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v);
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (holds_nul(json_object_array_get_idx(v, i))) return true;
        return false;
    case json_type_object: {
        json_object_object_foreach(v, key, member)
        {
            (void)key;
            if (holds_nul(member)) return true;
        }
        return false;
    }
    default: return false;
    }
}

const char *srv_body_nul_field(json_object *body)
{
    if (!json_object_is_type(body, json_type_object)) return NULL;
    json_object_object_foreach(body, key, member)
    {
        if (holds_nul(member)) return key;
    }
    return NULL;
}
