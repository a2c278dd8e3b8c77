/* server/agents_ghl.c: POST /agents/ghl/{tool}, the POST form of a GoHighLevel Voice AI custom action: the JSON body
 * holds the action's parameters (the same names as the GET /voice routes' query), and the answer is the tool's
 * object with HTTP 200, read whole by GHL (a POST action names no selectedPaths). */
#include "server/routes.h"

#include "server/agent_tools.h"

void srv_route_agents_ghl(srv_request_t *r)
{
    char tool[64];
    srv_tool_from_path(r, "/agents/ghl/", tool, sizeof(tool));
    srv_tool_answer(r, tool, r->body, NULL, NULL);
}
