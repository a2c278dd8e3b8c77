/* providers/credential_log.c: see credential_log.h. */
#include "providers/credential_log.h"

#include <json.h>
#include <stdio.h>

#include "tz/tz.h"

#define CREDENTIAL_LOG_EVERY_MS 60000

void prov_credential_refused(prov_credential_log_t *last, const char *tenant_id, const char *provider,
                             long http_status)
{
    int64_t now = tz_now();
    int64_t seen = atomic_load(last);
    if (seen != 0 && now - seen < CREDENTIAL_LOG_EVERY_MS) return;
    if (!atomic_compare_exchange_strong(last, &seen, now)) return; /* another worker writes it */
    json_object *line = json_object_new_object();
    if (line == NULL) return;
    json_object_object_add(line, "ts", json_object_new_int64(now));
    json_object_object_add(line, "level", json_object_new_string("warn"));
    json_object_object_add(line, "msg", json_object_new_string("EMR refused the clinic's credential"));
    json_object_object_add(line, "tenant", json_object_new_string(tenant_id));
    json_object_object_add(line, "provider", json_object_new_string(provider));
    json_object_object_add(line, "status", json_object_new_int64(http_status));
    json_object_object_add(line, "action",
                           json_object_new_string("the credential in this tenant's provider_settings was refused "
                                                  "(revoked, rotated or wrong): put a valid one in the config and "
                                                  "restart or reload"));
    fprintf(stderr, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
    json_object_put(line);
}
