/* server/agents_retell.c: POST /agents/retell and /agents/retell/{tool}, Retell's custom functions: the envelope
 * {"name", "args", "call"} (the tool named by "name", else by the path), or the arguments alone at the root of the
 * body (Retell's "args at root", the tool named by the path). The call runs through the tool set
 * (server/agent_tools.h) and its object is the body Retell hands its agent, with HTTP 200. When the tenant
 * configures its Retell API key, X-Retell-Signature must sign the body: "v=<ms>,d=<hex HMAC-SHA256 of the body
 * followed by those ms, keyed by the API key>", at most five minutes from now. */
#include "server/routes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/agent_tools.h"
#include "server/key_digest.h"
#include "server/worker.h"

#define PREFIX              "/agents/retell/"
#define SIGNATURE_WINDOW_MS (5 * 60 * 1000)

/* The tenant's Retell key, or NULL when it has none configured. */
static const char *retell_key(const srv_request_t *r)
{
    const srv_config_t *c = r->view->config;
    size_t i = (size_t)(r->tenant - c->tenants);
    return c->retell_keys != NULL && i < c->tenant_count ? c->retell_keys[i] : NULL;
}

/* True when header (len bytes) is "v=<ms>,d=<hex>" signing body with key, within the window around now. */
static bool signature_holds(const char *header, size_t len, const char *key, const char *body, size_t body_len)
{
    char text[256], digest_hex[65];
    long long ms;
    int used = 0;
    if (len >= sizeof(text)) return false;
    memcpy(text, header, len);
    text[len] = '\0';
    if (sscanf(text, "v=%lld,d=%64[0-9a-f]%n", &ms, digest_hex, &used) != 2 || (size_t)used != len ||
        strlen(digest_hex) != 64)
        return false;
    long long skew = (long long)tz_now() - ms;
    if (skew > SIGNATURE_WINDOW_MS || skew < -SIGNATURE_WINDOW_MS) return false;
    char stamp[32];
    int stamp_len = snprintf(stamp, sizeof(stamp), "%lld", ms);
    unsigned char mac[32];
    unsigned mac_len = 0;
    unsigned char *signed_text = malloc(body_len + (size_t)stamp_len);
    if (signed_text == NULL) return false;
    memcpy(signed_text, body, body_len);
    memcpy(signed_text + body_len, stamp, (size_t)stamp_len);
    bool ok =
        HMAC(EVP_sha256(), key, (int)strlen(key), signed_text, body_len + (size_t)stamp_len, mac, &mac_len) != NULL &&
        mac_len == 32;
    free(signed_text);
    if (!ok) return false;
    char want[65];
    for (int i = 0; i < 32; i++) snprintf(want + 2 * i, 3, "%02x", mac[i]);
    return CRYPTO_memcmp(want, digest_hex, 64) == 0;
}

static bool signed_by_tenant(srv_request_t *r)
{
    const char *key = retell_key(r);
    if (key == NULL) return true;
    h2o_req_t *req = r->req;
    ssize_t at = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-retell-signature"), -1);
    if (at >= 0 && signature_holds(req->headers.entries[at].value.base, req->headers.entries[at].value.len, key,
                                   req->entity.base, req->entity.len))
        return true;
    srv_respond_error(r, API_ERR_UNAUTHORIZED,
                      "X-Retell-Signature does not sign this body with the tenant's Retell key.", "x-retell-signature");
    return false;
}

/* The call's retry identity: the call id, the function and a digest of its arguments (Retell retries a failed
 * call with the same ones). Empty when the envelope names no call. */
static void retry_identity(json_object *call, const char *name, json_object *args, char *out, size_t cap)
{
    json_object *id = NULL;
    out[0] = '\0';
    if (call == NULL || !json_object_object_get_ex(call, "call_id", &id) || !json_object_is_type(id, json_type_string))
        return;
    size_t len;
    const char *text = args != NULL ? srv_json_text(args, &len) : (len = 0, "");
    unsigned char digest[32];
    srv_key_digest(text, len, digest);
    int n = snprintf(out, cap, "retell:%.100s:%s:", json_object_get_string(id), name);
    for (int i = 0; i < 16 && n > 0 && (size_t)n + 2 < cap; i++, n += 2) snprintf(out + n, 3, "%02x", digest[i]);
}

void srv_route_agents_retell(srv_request_t *r)
{
    if (!signed_by_tenant(r)) return;
    char path_tool[64];
    srv_tool_from_path(r, "/agents/retell/", path_tool, sizeof(path_tool));
    json_object *name = NULL, *args = NULL, *call = NULL;
    json_object_object_get_ex(r->body, "name", &name);
    json_object_object_get_ex(r->body, "call", &call);
    bool envelope = json_object_object_get_ex(r->body, "args", &args) || (call != NULL && name != NULL);
    const char *tool =
        envelope && json_object_is_type(name, json_type_string) ? json_object_get_string(name) : path_tool;
    if (!envelope) args = r->body;
    char identity[256];
    retry_identity(call, tool, args, identity, sizeof(identity));
    json_object *from = NULL; /* the caller's number on a phone call: best_slot's "phone" when the call names none */
    json_object_object_get_ex(call, "from_number", &from);
    srv_tool_answer(r, tool, args, identity[0] ? identity : NULL,
                    json_object_is_type(from, json_type_string) ? json_object_get_string(from) : NULL);
}
