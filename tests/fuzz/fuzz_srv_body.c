/* Fuzz target: request bodies through srv_body_parse (strict RFC 8259 validator, then json-c). Whatever the
 * validator accepts, json-c must parse to an object, and nothing may crash or leak. srv_body_nul_field names a
 * member of the object exactly when some top-level string value holds a NUL (checked here for top-level
 * strings, the case a handler reads directly). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/body.h"
#include "server/json_strict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    size_t error_at = 0;
    bool valid = srv_json_strict_valid(body, size, &error_at);
    if (!valid && error_at > size) abort();
    json_object *obj = NULL;
    char message[256];
    api_error_t err = srv_body_parse("application/json", 16, body, size, &obj, message, sizeof(message));
    if (err == API_ERR__COUNT) {
        if (obj == NULL || !json_object_is_type(obj, json_type_object)) abort();
        const char *nul_field = srv_body_nul_field(obj);
        if (nul_field != NULL && !json_object_object_get_ex(obj, nul_field, NULL)) abort();
        json_object_object_foreach(obj, key, member)
        {
            (void)key;
            bool cut = json_object_is_type(member, json_type_string) &&
                       strlen(json_object_get_string(member)) != (size_t)json_object_get_string_len(member);
            if (cut && nul_field == NULL) abort();
        }
        json_object_put(obj);
    } else if (obj != NULL) {
        abort();
    }
    return 0;
}
