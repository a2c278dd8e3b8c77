/* server/agents_ghl.c: POST /agents/ghl/{tool}, the POST form of a GoHighLevel Voice AI custom action: the JSON body
 * holds the action's parameters (the same names as the GET /voice routes' query), and the answer is the tool's
 * object with HTTP 200, read whole by GHL (a POST action names no selectedPaths). */
#include "server/routes.h"

#include <stdio.h>
#include <string.h>

#include "server/agent_tools.h"

#define PREFIX "/agents/ghl/"

void srv_route_agents_ghl(srv_request_t *r)
{
    h2o_req_t *req = r->req;
    char tool[64] = "";
    size_t prefix = strlen(PREFIX);
    if (req->path_normalized.len > prefix && req->path_normalized.len - prefix < sizeof(tool))
        snprintf(tool, sizeof(tool), "%.*s", (int)(req->path_normalized.len - prefix),
                 req->path_normalized.base + prefix);
    srv_tool_answer(r, tool, r->body, NULL);
}
