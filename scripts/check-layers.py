#!/usr/bin/env python3
"""scripts/check-layers.py [ROOT]: the layering check of the C code (issue 14).

Reads every `#include "..."` of the .c and .h files under the layer folders of ROOT (default: this repository)
and their subfolders, and fails (exit 1, one line per violation: file, line, rule) when
  - a folder includes a folder it may not (LAYERS below), or
  - files include each other around a loop (foo.c and foo.h are one node; each cycle's members are named).
Exit 0 when clean (one summary line), 2 when ROOT is not a directory. Python 3 standard library only.
"""

import os
import re
import sys

# The allowed directions, the one table of them. Calls flow one way, down:
#     server -> voice -> booking -> providers -> core -> tz
# so that a request never returns to a room it left and each floor can be read and tested with only the floors
# below it: server/ is HTTP only (parse, authenticate, route, render), voice/ the conversation rules, booking/
# the orchestration (holds, writes, idempotency, caches), providers/ the EMR adapters, core/ the pure code (no
# I/O) and tz/ time, which includes nothing of ours. A folder may include itself and any folder below it.
# store/ (the Redis connection) stands beside booking and providers: it is theirs alone, so server and voice
# reach Redis only through booking, and core stays free of I/O. store itself, like tz, includes nothing of ours.
# metrics/ (the process's counters) lies under everything that does I/O: each layer counts what it sees (requests
# in server, EMR calls in providers, Redis errors in store, ...) and only server renders them; metrics includes
# nothing of ours, so counting never pulls a layer's neighbours in. core/ and tz/ stay pure: they count nothing.
LAYERS = {
    "server": {"server", "voice", "booking", "providers", "core", "tz", "metrics"},
    "voice": {"voice", "booking", "providers", "core", "tz", "metrics"},
    "booking": {"booking", "providers", "store", "core", "tz", "metrics"},
    "providers": {"providers", "store", "core", "tz", "metrics"},
    "store": {"store", "metrics"},
    "core": {"core", "tz"},
    "tz": {"tz"},
    "metrics": {"metrics"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
SOURCES = (".c", ".h")


def folder_of(rel):
    """The layer folder of a root-relative path ("core/slots.h" -> "core"), or None outside the layers."""
    head = rel.split("/", 1)[0]
    return head if head in LAYERS and "/" in rel else None


def node_of(rel):
    """foo.c and foo.h are one node: the path without its extension."""
    return os.path.splitext(rel)[0]


def scan(root):
    """Yields (file, line number, included path as written, root-relative target or None) for every quoted
    include of the layer folders, in a stable order."""
    for layer in sorted(LAYERS):
        top = os.path.join(root, layer)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(SOURCES):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                with open(path, encoding="utf-8", errors="replace") as f:
                    for number, text in enumerate(f, 1):
                        m = INCLUDE.match(text)
                        if m:
                            yield rel, number, m.group(1), resolve(root, rel, m.group(1))


def resolve(root, rel, written):
    """The root-relative path an include names: next to the including file first (as the compiler looks),
    then from the root (the build's include directory). Unresolved paths under a layer folder are kept (the
    rule still applies to them); anything else (a third-party header) is None."""
    near = os.path.normpath(os.path.join(os.path.dirname(rel), written)).replace(os.sep, "/")
    if not near.startswith("../") and os.path.isfile(os.path.join(root, near)):
        return near
    from_root = os.path.normpath(written).replace(os.sep, "/")
    if from_root.startswith("../"):
        return None
    return from_root if os.path.isfile(os.path.join(root, from_root)) or folder_of(from_root) else None


def cycles(edges):
    """The strongly connected components of more than one node (Tarjan, iterative), each sorted."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def loop_in(component, graph):
    """One loop through the first member of a cycle, as a list of nodes ending where it starts."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                return paths[v] + [start]
            if w in members and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    return component + [start]


def check(root):
    """Returns (violation lines, number of files read, number of includes of ours)."""
    problems = []
    edges = {}  # (node, node) -> (file, line) of the first include making it
    files = set()
    count = 0
    for rel, number, written, target in scan(root):
        files.add(rel)
        if target is None:
            continue
        count += 1
        src, dst = folder_of(rel), folder_of(target)
        if dst is None:
            continue
        if dst not in LAYERS[src]:
            allowed = ", ".join(d + "/" for d in sorted(LAYERS[src]))
            problems.append(
                f'{rel}:{number}: {src}/ may not include {dst}/ ("{written}"): '
                f"{src}/ may include only {allowed} (calls flow one way down)"
            )
        a, b = node_of(rel), node_of(target)
        if a != b:
            edges.setdefault((a, b), (rel, number))
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    for component in cycles(edges):
        loop = loop_in(component, graph)
        rel, number = edges[(loop[0], loop[1])]
        problems.append(
            f"{rel}:{number}: include cycle between {len(component)} files ({', '.join(component)}): "
            f"{' -> '.join(loop)}: files must not include each other around a loop"
        )
    return problems, len(files), count


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    if len(argv) > 2 or not os.path.isdir(root):
        print("usage: check-layers.py [ROOT]  (ROOT: a directory holding server/ booking/ core/ ...)", file=sys.stderr)
        return 2
    problems, files, count = check(os.path.abspath(root))
    for line in problems:
        print(line)
    if problems:
        print(f"layers: {len(problems)} violation(s) in {files} files", file=sys.stderr)
        return 1
    print(f"layers: {files} files, {count} includes of ours, no violations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
