/* server/voice_write.c: the query of a GET /voice write as the body its Idempotency-Key fingerprints (see
 * voice_write.h). */
#include "server/voice_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/query.h"

#define MAX_PARAMS 64

bool srv_voice_query_body(srv_request_t *r)
{
    json_object *body = json_object_new_object();
    if (body == NULL) goto oom;
    h2o_req_t *req = r->req;
    if (r->args != NULL) {
        /* A tool call: its arguments, each as the text a query would carry. */
        json_object_object_foreach(r->args, k, v) {
            if (v != NULL && !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array))
                json_object_object_add(body, k, json_object_new_string(json_object_get_string(v)));
        }
    } else if (req != NULL && req->query_at != SIZE_MAX) {
        const char *q = req->path.base + req->query_at + 1;
        size_t len = req->path.len - req->query_at - 1, i = 0;
        int count = 0;
        char key[64], value[2048];
        while (i < len) {
            size_t end = i;
            while (end < len && q[end] != '&') end++;
            const char *eq = memchr(q + i, '=', end - i);
            size_t key_end = eq != NULL ? (size_t)(eq - q) : end, v = eq != NULL ? key_end + 1 : end;
            if (end > i) {
                if (++count > MAX_PARAMS) {
                    json_object_put(body);
                    srv_respond_error(r, API_ERR_INVALID_FIELD, "The query has more than 64 parameters.", NULL);
                    return false;
                }
                long kl = srv_query_decode(q + i, key_end - i, key, sizeof(key));
                long vl = srv_query_decode(q + v, end - v, value, sizeof(value));
                if (kl < 0 || vl < 0) {
                    json_object_put(body);
                    srv_respond_error(r, API_ERR_INVALID_FIELD, "A query parameter could not be read.", NULL);
                    return false;
                }
                if (kl > 0 && !json_object_object_get_ex(body, key, NULL))
                    json_object_object_add(body, key, json_object_new_string_len(value, (int)vl));
            }
            i = end + 1;
        }
    }
    json_object_put(r->body);
    r->body = body;
    return true;
oom:
    srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
    return false;
}
