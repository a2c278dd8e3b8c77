"""scripts/yaml_subset.py: reads the YAML our OpenAPI contract is written in, with the Python standard library only:
block mappings and sequences by indentation, flow mappings and sequences ({a: 1, b: [x, y]}, also over several
lines), literal (|) and folded (>) block scalars, plain scalars continued on deeper lines, single- and
double-quoted strings, comments. Anchors, tags and multiple documents are not YAML we write, and are refused.
Mapping keys are always strings; plain scalars become null, booleans, integers, floats or strings."""

import json
import re

_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")


class YamlError(ValueError):
    pass


def _strip_comment(line):
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _plain(text, key=False):
    t = text.strip()
    if key:
        return t
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if _INT.match(t):
        return int(t)
    if _FLOAT.match(t) and any(ch.isdigit() for ch in t):
        return float(t)
    if t[:1] in "&*!%@`":
        raise YamlError("unsupported YAML: %r" % t)
    return t


class _Flow:
    """A recursive-descent reader of one flow value (text holds the whole of it)."""

    def __init__(self, text):
        self.s, self.i = text, 0

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t\n":
            self.i += 1

    def value(self, key=False):
        self.ws()
        c = self.s[self.i:self.i + 1]
        if c == "{":
            return self.mapping()
        if c == "[":
            return self.sequence()
        if c in ("'", '"'):
            return self.quoted()
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in ",]}" and not (
                self.s[self.i] == ":" and self.s[self.i + 1:self.i + 2] in (" ", "", ",", "}")):
            self.i += 1
        return _plain(self.s[start:self.i], key)

    def quoted(self):
        q = self.s[self.i]
        j = self.i + 1
        out = []
        while True:
            if j >= len(self.s):
                raise YamlError("unterminated quoted string")
            c = self.s[j]
            if q == "'" and c == "'":
                if self.s[j + 1:j + 2] == "'":
                    out.append("'")
                    j += 2
                    continue
                break
            if q == '"' and c == "\\":
                out.append(json.loads('"' + self.s[j:j + 2] + '"'))
                j += 2
                continue
            if q == '"' and c == '"':
                break
            out.append(c)
            j += 1
        self.i = j + 1
        return re.sub(r"[ \t]*\n[ \t]*", " ", "".join(out))

    def mapping(self):
        self.i += 1
        out = {}
        while True:
            self.ws()
            if self.s[self.i:self.i + 1] == "}":
                self.i += 1
                return out
            k = self.value(key=True)
            self.ws()
            if self.s[self.i:self.i + 1] != ":":
                raise YamlError("expected ':' in a flow mapping near %r" % self.s[self.i:self.i + 20])
            self.i += 1
            out[str(k)] = self.value()
            self.ws()
            if self.s[self.i:self.i + 1] == ",":
                self.i += 1

    def sequence(self):
        self.i += 1
        out = []
        while True:
            self.ws()
            if self.s[self.i:self.i + 1] == "]":
                self.i += 1
                return out
            out.append(self.value())
            self.ws()
            if self.s[self.i:self.i + 1] == ",":
                self.i += 1


def _balanced(text):
    depth, quote, last = 0, None, ""
    for c in text:
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"" and last in "[{,:":  # a quote opens a string only where a value starts
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        if c not in " \t\n":
            last = c
    return depth <= 0 and quote is None


class _Block:
    def __init__(self, text):
        self.raw = text.split("\n")
        self.lines = [_strip_comment(l) for l in self.raw]
        self.i = 0

    def indent(self, j):
        return len(self.lines[j]) - len(self.lines[j].lstrip(" "))

    def next_content(self):
        j = self.i
        while j < len(self.lines) and (not self.lines[j].strip() or self.lines[j].strip() in ("---",)):
            j += 1
        return j

    def node(self, min_indent):
        j = self.next_content()
        if j >= len(self.lines) or self.indent(j) < min_indent:
            return None
        self.i = j
        ind = self.indent(j)
        if self.lines[j].lstrip().startswith("- ") or self.lines[j].strip() == "-":
            return self.sequence(ind)
        return self.mapping(ind)

    def scalar(self, first, ind):
        """The value written after a key or a dash (first), with its continuation lines deeper than ind."""
        t = first.strip()
        if t[:1] in "|>":
            return self.block_scalar(t, ind)
        if t[:1] in "{[":
            while not _balanced(t):
                self.i += 1
                t += "\n" + self.lines[self.i].strip()
            self.i += 1
            return _Flow(t).value()
        self.i += 1
        while True:  # a plain or quoted scalar continued on deeper lines
            j = self.next_content()
            if j >= len(self.lines) or self.indent(j) <= ind:
                break
            t += "\n" + self.lines[j].strip()
            self.i = j + 1
        if t[:1] in "'\"":
            return _Flow(t).quoted()
        return _plain(" ".join(t.split("\n")))

    def block_scalar(self, header, ind):
        keep = "-" not in header
        self.i += 1
        body, block_indent = [], None
        while self.i < len(self.raw):
            line = self.raw[self.i]
            if line.strip():
                li = len(line) - len(line.lstrip(" "))
                if li <= ind:
                    break
                block_indent = li if block_indent is None else block_indent
                body.append(line[block_indent:])
            else:
                body.append("")
            self.i += 1
        while body and body[-1] == "":
            body.pop()
        if header.startswith(">"):
            text = re.sub(r"(?<!\n)\n(?!\n)", " ", "\n".join(body))
        else:
            text = "\n".join(body)
        return text + ("\n" if keep and body else "")

    def split_key(self, text):
        if text[:1] in "'\"":
            f = _Flow(text)
            key = f.quoted()
            rest = text[f.i:].lstrip()
            if not rest.startswith(":"):
                raise YamlError("expected ':' after the key %r" % key)
            return key, rest[1:]
        m = re.match(r"^([^:]+?):(\s|$)", text)
        if not m:
            raise YamlError("expected 'key: value' at line %d: %r" % (self.i + 1, text))
        return m.group(1).strip(), text[m.end(1) + 1:]

    def mapping(self, ind):
        out = {}
        while True:
            j = self.next_content()
            if j >= len(self.lines) or self.indent(j) != ind or self.lines[j].lstrip().startswith("- "):
                return out
            self.i = j
            key, rest = self.split_key(self.lines[j].strip())
            if rest.strip():
                out[key] = self.scalar(rest, ind)
                continue
            self.i = j + 1
            k = self.next_content()
            if k < len(self.lines) and self.indent(k) == ind and self.lines[k].lstrip().startswith("- "):
                out[key] = self.sequence(ind)
            else:
                out[key] = self.node(ind + 1)

    def sequence(self, ind):
        out = []
        while True:
            j = self.next_content()
            if j >= len(self.lines) or self.indent(j) != ind or not (
                    self.lines[j].lstrip().startswith("- ") or self.lines[j].strip() == "-"):
                return out
            self.i = j
            rest = self.lines[j].strip()[1:].lstrip()
            if not rest:
                self.i = j + 1
                out.append(self.node(ind + 1))
            elif rest[:1] not in "{['\"|>" and re.match(r"^[^:]+?:(\s|$)", rest):
                # a mapping that starts on the dash's line: read it as if the dash were a space
                item_indent = len(self.lines[j]) - len(rest)
                self.lines[j] = " " * item_indent + rest
                self.raw[j] = " " * item_indent + self.raw[j].lstrip()[1:].lstrip()
                out.append(self.mapping(item_indent))
            else:
                out.append(self.scalar(rest, ind))


def load(text):
    """The document in text as Python values (dict, list, str, int, float, bool, None)."""
    return _Block(text).node(0)
