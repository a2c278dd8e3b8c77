#!/usr/bin/env python3
"""scripts/gen-agent-tools.py: writes the paste-ready tool definitions of docs/agents/ (Vapi tools, Retell custom
functions, GoHighLevel Voice AI custom actions) from the contract, so they cannot drift from it:

- the tool set (names, and the GET /voice route each one runs) is read from the server's own table in
  server/agent_tools.c;
- each tool's description and parameters (names, types, enums, required, descriptions and examples) are read
  from that route's operation in openapi/openapi.yaml.

  scripts/gen-agent-tools.py           rewrites docs/agents/*.json
  scripts/gen-agent-tools.py --check   exits 1, naming the files, when they differ from what would be written
                                       (ctest agent_tools_generated)

Standard library only (the YAML is read by scripts/yaml_subset.py)."""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import yaml_subset  # noqa: E402

HOST = "https://YOUR-FRONTDESK-HOST"
KEY = "YOUR_FRONTDESK_API_KEY"
OUT = os.path.join(ROOT, "docs", "agents")
TIMEOUT_SECONDS = 5  # the platform's wait: above the tenant's voice deadline (2 s by default), which answers first


def tool_table():
    """[(tool name, GET route path)] in the order of server/agent_tools.c's table."""
    with open(os.path.join(ROOT, "server", "agent_tools.c"), encoding="utf-8") as f:
        source = f.read()
    table = re.findall(r'\{"([a-z_]+)", "(/voice/[A-Za-z-]+)", srv_route_', source)
    if not table:
        raise SystemExit("gen-agent-tools: no tool table found in server/agent_tools.c")
    return table


def resolve(contract, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise SystemExit("gen-agent-tools: only local $refs are supported: %s" % ref)
        node = contract
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def first_paragraph(text):
    para = (text or "").strip().split("\n\n")[0]
    return " ".join(para.split())


def describe(param):
    """The sentence an agent's model reads about one parameter."""
    words = param.get("description") or param["name"].replace("_", " ").capitalize()
    if "example" in param:
        words += " (e.g. %s)" % param["example"]
    return words


def tools(contract):
    out = []
    for name, path in tool_table():
        op = contract["paths"][path]["get"]
        properties, required = {}, []
        for p in op.get("parameters", []):
            p = resolve(contract, p)
            if p.get("in") != "query":
                continue  # headers (Idempotency-Key) are the envelope's: a tool call id plays that part
            schema = dict(resolve(contract, p.get("schema", {"type": "string"})))
            schema = {k: v for k, v in schema.items() if k in ("type", "enum", "maxLength", "format")}
            schema["description"] = describe(p)
            properties[p["name"]] = schema
            if p.get("required"):
                required.append(p["name"])
        description = op["summary"].rstrip(".") + ". " + first_paragraph(op.get("description"))
        out.append({"name": name, "route": path, "description": description.strip(),
                    "parameters": {"type": "object", "properties": properties, "required": required}})
    return out


def vapi(ts):
    return [{"type": "function",
             "function": {"name": t["name"], "description": t["description"], "parameters": t["parameters"]},
             "server": {"url": HOST + "/agents/vapi", "timeoutSeconds": TIMEOUT_SECONDS,
                        "headers": {"Authorization": "Bearer " + KEY}}} for t in ts]


def retell(ts):
    return [{"type": "custom", "name": t["name"], "description": t["description"],
             "url": HOST + "/agents/retell", "method": "POST", "headers": {"Authorization": "Bearer " + KEY},
             "parameters": t["parameters"], "args_at_root": False, "timeout_ms": TIMEOUT_SECONDS * 1000,
             "speak_during_execution": t["name"] in ("book", "cancel", "reschedule"),
             "speak_after_execution": True} for t in ts]


def ghl(ts):
    """Each action in GHL's own terms (triggerPrompt, triggerMessage, apiDetails, selectedPaths), POST and GET."""
    out = []
    for t in ts:
        params = [{"name": n, "description": s["description"], "type": s.get("type", "string"),
                   "required": n in t["parameters"]["required"]} for n, s in t["parameters"]["properties"].items()]
        headers = [{"key": "x-api-key", "value": KEY}]
        out.append({"name": t["name"], "triggerPrompt": t["description"],
                    "triggerMessage": "One moment." if t["name"] in ("book", "cancel", "reschedule") else "",
                    "post": {"apiDetails": {"url": HOST + "/agents/ghl/" + t["name"], "method": "POST",
                                            "authenticationRequired": True, "headers": headers,
                                            "parameters": params},
                             "selectedPaths": []},
                    "get": {"apiDetails": {"url": HOST + t["route"], "method": "GET", "authenticationRequired": True,
                                           "headers": headers, "parameters": params},
                            "selectedPaths": ["message"]}})
    return out


def render(value):
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def outputs():
    with open(os.path.join(ROOT, "openapi", "openapi.yaml"), encoding="utf-8") as f:
        contract = yaml_subset.load(f.read())
    ts = tools(contract)
    return {"vapi-tools.json": render(vapi(ts)), "retell-functions.json": render(retell(ts)),
            "ghl-custom-actions.json": render(ghl(ts))}


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] not in ([], ["--check"]):
        raise SystemExit(__doc__)
    stale = []
    for name, text in outputs().items():
        path = os.path.join(OUT, name)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        stale.append(name)
        if not check:
            os.makedirs(OUT, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if check and stale:
        print("gen-agent-tools: docs/agents/%s differ from openapi/openapi.yaml; run scripts/gen-agent-tools.py"
              % ", docs/agents/".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
