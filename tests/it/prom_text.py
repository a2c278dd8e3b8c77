"""tests/it/prom_text.py: a strict parser of the Prometheus text exposition format (version 0.0.4), for the tests
of GET /metrics. Python 3 standard library only.

parse(text) -> Exposition, or raises FormatError naming the line. Strict where Prometheus is lenient:
- every line is "# HELP <name> <text>", "# TYPE <name> <counter|gauge|histogram|summary|untyped>" or a sample
  "<name>{<label>="<value>",...} <value>" (no timestamps: we never write them); the text ends with a newline;
- a family has at most one HELP and one TYPE, the TYPE before its first sample, and its samples together;
- names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not starting with __), label values
  use only the \\\\ \\" \\n escapes, no label twice in a sample, no series twice;
- a counter's name ends in _total; a histogram has only _bucket (with le), _sum and _count samples, its buckets
  are cumulative (never decreasing with le), end at le="+Inf", and +Inf equals _count.
"""

import math
import re

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class FormatError(ValueError):
    pass


class Exposition:
    def __init__(self):
        self.types = {}    # family -> type
        self.helps = {}    # family -> help text
        self.samples = {}  # (sample name, frozenset of (label, value)) -> float

    def families(self):
        return set(self.types)

    def value(self, name, **labels):
        """The value of one series (0.0 when absent)."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def series(self, name):
        """[(labels dict, value)] of every series of a sample name."""
        return [(dict(k[1]), v) for k, v in self.samples.items() if k[0] == name]

    def total(self, name, **match):
        """Sum over the series of `name` whose labels include `match`."""
        return sum(v for labels, v in self.series(name) if all(labels.get(k) == m for k, m in match.items()))

    def histogram(self, family, **labels):
        """(buckets [(le, cumulative count)], sum, count) of one histogram series."""
        buckets = sorted(((float(l["le"]), v) for l, v in self.series(family + "_bucket")
                          if {k: x for k, x in l.items() if k != "le"} == labels), key=lambda b: b[0])
        return buckets, self.value(family + "_sum", **labels), self.value(family + "_count", **labels)


def _value(text, where):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text):
        raise FormatError("%s: %r is not a number" % (where, text))
    return float(text)


def _labels(text, where):
    """Parses a="x",b="y" (the text between the braces) into a tuple of pairs."""
    out, i = [], 0
    while i < len(text):
        m = re.match(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", text[i:])
        if not m:
            raise FormatError("%s: bad label at %r" % (where, text[i:]))
        name = m.group(1)
        if name.startswith("__"):
            raise FormatError("%s: reserved label name %s" % (where, name))
        i += m.end()
        value = []
        while True:
            if i >= len(text):
                raise FormatError("%s: unterminated label value" % where)
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise FormatError("%s: bad escape \\%s" % (where, nxt))
                value.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise FormatError("%s: newline in a label value" % where)
            else:
                value.append(c)
                i += 1
        if any(n == name for n, _ in out):
            raise FormatError("%s: label %s twice" % (where, name))
        out.append((name, "".join(value)))
        if i < len(text):
            if text[i] != ",":
                raise FormatError("%s: expected , after a label" % where)
            i += 1
    return tuple(out)


def _family_of(sample, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if sample.endswith(suffix) and types.get(sample[:-len(suffix)]) in ("histogram", "summary"):
            return sample[:-len(suffix)]
    return sample


def parse(text):
    if not text.endswith("\n"):
        raise FormatError("the text does not end with a newline")
    e = Exposition()
    done = set()      # families whose samples are over (another family's came after)
    current = None
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d" % n
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (\S+) (.*)", line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    raise FormatError("%s: malformed %r" % (where, line))
                continue  # a plain comment
            kind, name, rest = m.groups()
            if not NAME.match(name):
                raise FormatError("%s: bad metric name %r" % (where, name))
            if kind == "HELP":
                if name in e.helps:
                    raise FormatError("%s: second HELP for %s" % (where, name))
                e.helps[name] = rest
            else:
                if name in e.types:
                    raise FormatError("%s: second TYPE for %s" % (where, name))
                if rest not in TYPES:
                    raise FormatError("%s: unknown type %r" % (where, rest))
                if any(_family_of(k[0], {name: rest}) == name for k in e.samples):
                    raise FormatError("%s: TYPE of %s after its samples" % (where, name))
                e.types[name] = rest
            continue
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if not m:
            raise FormatError("%s: not a sample: %r" % (where, line))
        name, labels, value = m.group(1), _labels(m.group(2) or "", where), _value(m.group(3), where)
        family = _family_of(name, e.types)
        if family not in e.types:
            raise FormatError("%s: sample of %s before (or without) its TYPE" % (where, family))
        if family != current:
            if family in done:
                raise FormatError("%s: samples of %s are not together" % (where, family))
            if current is not None:
                done.add(current)
            current = family
        kind = e.types[family]
        if kind == "counter" and not family.endswith("_total"):
            raise FormatError("%s: counter %s does not end in _total" % (where, family))
        if kind == "histogram":
            if name == family:
                raise FormatError("%s: histogram %s has a bare sample" % (where, family))
            if name.endswith("_bucket") != any(k == "le" for k, _ in labels):
                raise FormatError("%s: le belongs to _bucket samples only" % where)
        if kind == "counter" and (value < 0 or math.isnan(value)):
            raise FormatError("%s: counter %s is %r" % (where, name, value))
        key = (name, frozenset(labels))
        if key in e.samples:
            raise FormatError("%s: series %s%s twice" % (where, name, dict(labels)))
        e.samples[key] = value
    _check_histograms(e)
    return e


def _check_histograms(e):
    for family, kind in e.types.items():
        if kind != "histogram":
            continue
        groups = {}
        for (name, labels), v in e.samples.items():
            if name == family + "_bucket":
                rest = frozenset((k, x) for k, x in labels if k != "le")
                groups.setdefault(rest, []).append((_value(dict(labels)["le"], family), v))
        for rest, buckets in groups.items():
            buckets.sort()
            if buckets[-1][0] != math.inf:
                raise FormatError("%s%s has no le=\"+Inf\" bucket" % (family, dict(rest)))
            for (_, a), (_, b) in zip(buckets, buckets[1:]):
                if b < a:
                    raise FormatError("%s%s: buckets are not cumulative" % (family, dict(rest)))
            count = e.samples.get((family + "_count", rest))
            if count is None or (family + "_sum", rest) not in e.samples:
                raise FormatError("%s%s lacks _sum or _count" % (family, dict(rest)))
            if count != buckets[-1][1]:
                raise FormatError("%s%s: +Inf bucket %r != _count %r" % (family, dict(rest), buckets[-1][1], count))
