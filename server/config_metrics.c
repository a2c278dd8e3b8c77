/* server/config_metrics.c: the "metrics" config (see config_metrics.h). */
#include "server/config_metrics.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/key_digest.h"

static bool fail(char *why, size_t why_cap, const char *path, const char *message)
{
    snprintf(why, why_cap, "%s: %s", path, message);
    return false;
}

static bool read_listen(const char *text, srv_metrics_config_t *out)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof(out->address)) return false;
    memcpy(out->address, text, (size_t)(colon - text));
    out->address[colon - text] = '\0';
    struct in_addr ignored;
    if (inet_pton(AF_INET, out->address, &ignored) != 1) return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port < 1 || port > 65535) return false;
    out->port = (int)port;
    return true;
}

bool srv_config_read_metrics(json_object *value, const char *public_address, int public_port, srv_metrics_config_t *out,
                             char *why, size_t why_cap)
{
    memset(out, 0, sizeof(*out));
    if (!json_object_is_type(value, json_type_object)) return fail(why, why_cap, "metrics", "must be an object");
    json_object_object_foreach(value, key, member)
    {
        (void)member;
        if (strcmp(key, "listen") != 0 && strcmp(key, "token_sha256") != 0) {
            char path[96];
            snprintf(path, sizeof(path), "metrics.%.60s", key);
            return fail(why, why_cap, path, "unknown field");
        }
    }
    json_object *listen, *token;
    if (!json_object_object_get_ex(value, "listen", &listen))
        return fail(why, why_cap, "metrics.listen", "is required (e.g. \"127.0.0.1:9464\")");
    if (!json_object_is_type(listen, json_type_string) || !read_listen(json_object_get_string(listen), out))
        return fail(why, why_cap, "metrics.listen", "must be IPv4:port, e.g. 127.0.0.1:9464");
    bool any = strcmp(out->address, "0.0.0.0") == 0 || strcmp(public_address, "0.0.0.0") == 0;
    if (out->port == public_port && (any || strcmp(out->address, public_address) == 0))
        return fail(why, why_cap, "metrics.listen", "must not be the public listen address (metrics stay off it)");
    if (json_object_object_get_ex(value, "token_sha256", &token)) {
        if (!json_object_is_type(token, json_type_string) ||
            !srv_digest_parse_hex(json_object_get_string(token), out->token_digest))
            return fail(why, why_cap, "metrics.token_sha256", "must be 64 hex digits (frontdesk hash-key TOKEN)");
        out->token = true;
    }
    out->enabled = true;
    return true;
}
