/* providers/json_get.h: reading one member of a decoded JSON object the way every EMR decoder does: absent,
 * null or the wrong type all read as "not there". Pure; results are borrowed from the object. */
#ifndef FD_PROVIDERS_JSON_GET_H
#define FD_PROVIDERS_JSON_GET_H

#include <json.h>

/** The member key of o (borrowed), or NULL when o is not an object or has no such member. */
json_object *prov_json_get(json_object *o, const char *key);

/** The member key of o when it is a non-empty string (borrowed), else NULL. */
const char *prov_json_get_str(json_object *o, const char *key);

#endif
