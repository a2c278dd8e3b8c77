/* booking/api_error.c: the error table and its one JSON renderer (see api_error.h). */
#include "booking/api_error.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *code;
    const char *message;
} table[] = {
#define X(name, status, code, message) {status, code, message},
    API_ERRORS(X)
#undef X
};

int api_error_status(api_error_t err)
{
    return err < API_ERR__COUNT ? table[err].status : 500;
}

const char *api_error_code(api_error_t err)
{
    return err < API_ERR__COUNT ? table[err].code : "internal";
}

const char *api_error_message(api_error_t err)
{
    return err < API_ERR__COUNT ? table[err].message : "Internal error.";
}

size_t api_error_render(api_error_t err, const char *message, const char *field, char *buf, size_t cap)
{
    json_object *inner = json_object_new_object();
    json_object_object_add(inner, "code", json_object_new_string(api_error_code(err)));
    json_object_object_add(inner, "message", json_object_new_string(message ? message : api_error_message(err)));
    json_object_object_add(inner, "field", field ? json_object_new_string(field) : NULL);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "error", inner);
    size_t len;
    const char *s = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (len >= cap) len = cap ? cap - 1 : 0;
    if (cap) {
        memcpy(buf, s, len);
        buf[len] = '\0';
    }
    json_object_put(root);
    return len;
}

api_error_t api_error_of_provider(prov_status_t status)
{
    switch (status) {
    case PROV_TIMEOUT:
        return API_ERR_EMR_TIMEOUT;
    case PROV_UPSTREAM:
        return API_ERR_EMR_ERROR;
    case PROV_REJECTED:
        return API_ERR_NOT_BOOKABLE_ONLINE;
    case PROV_RATE_LIMITED:
        return API_ERR_EMR_RATE_LIMITED;
    case PROV_NOT_FOUND:
        return API_ERR_NOT_FOUND;
    case PROV_CONFLICT:
        return API_ERR_SLOT_TAKEN;
    default:
        return API_ERR_SERVICE_UNAVAILABLE;
    }
}
