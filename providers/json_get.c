/* providers/json_get.c: see json_get.h. */
#include "providers/json_get.h"

json_object *prov_json_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_is_type(o, json_type_object)) return NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *prov_json_get_str(json_object *o, const char *key)
{
    json_object *v = prov_json_get(o, key);
    if (v == NULL || !json_object_is_type(v, json_type_string)) return NULL;
    const char *s = json_object_get_string(v);
    return s != NULL && s[0] != '\0' ? s : NULL;
}
