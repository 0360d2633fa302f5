"""A small structural TraceQL parser: spanset filters, their conditions and the pipeline, with spans.

Tempo has no Python parser either. The `traceql/*` rules need to know which attributes a query
filters on and in which scope (an unscoped `.attr` makes Tempo read both span and resource
columns), whether a spanset is a full scan (`{}`, `{ true }`), and what follows `|`. This tokenizes
as Tempo's lexer does (an attribute name runs until an operator character or space; `span."a b"`
quotes a part) and rejects unbalanced braces, parentheses and quotes and a spanset inside a
spanset. The boolean and arithmetic structure inside a spanset is flattened to a list of
`attribute op value` conditions; the pipeline is kept as raw text.

A bare trace id, or a lone `${traceId}` variable, is a trace lookup and not TraceQL: `parse` raises
on it (there is no spanset), and callers ask `is_trace_id` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashgen.lint.model import QuerySyntaxError
from dashgen.lint.variables import only_reference

SCOPES = frozenset(("span", "resource", "event", "link", "instrumentation"))
STATICS = frozenset("true false nil ok error unset unspecified internal server client producer consumer".split())
COMPARISONS = frozenset(("=", "!=", "=~", "!~", ">", ">=", "<", "<="))
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_VAR = r"\$\{[^{}\"`]*\}"  # a Grafana ${var} the caller left in place reads as part of an attribute
_ATTR_PART = rf'{_QUOTED}|{_VAR}|[^\s{{}}()=~!<>&|^,"`]'  # Tempo's isAttributeRune, plus quoted parts
_TOKEN = re.compile(rf"""
    (?P<ws>\s+)
  | (?P<str>{_QUOTED}|`[^`]*`)
  | (?P<num>\.?\d[\w.µ]*)
  | (?P<attr>(?:[A-Za-z_.$:]|{_VAR})(?:{_ATTR_PART})*)
  | (?P<op>!>>|!<<|&>>|&<<|&&|\|\||>>|<<|!=|!~|=~|>=|<=|!>|!<|&>|&<|&~|[{{}}()=<>~!|,+\-*/%^])
""", re.X | re.S)
_TRACE_ID = re.compile(r"\s*[0-9a-fA-F]{16,32}\s*")


class TraceQLSyntaxError(QuerySyntaxError):
    """A query Tempo would refuse to parse."""


@dataclass(frozen=True)
class Condition:
    """`attribute op value` inside a spanset. `value` is unquoted for a string, else as written
    (`error`, `1s`, `span.b * 2`); op and value are "" for a bare attribute."""

    attribute: str  # span.http.method, .service.name, status, trace:duration...
    scope: str  # span resource event link instrumentation intrinsic, or unscoped for `.attr`
    op: str
    value: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Spanset:
    span: tuple[int, int]  # braces included
    conditions: list[Condition]
    text: str  # between the braces, stripped


@dataclass(frozen=True)
class Stage:
    """A pipeline stage (`| select(span.a)`, `| rate() by (resource.service.name)`) or a query hint
    (`with(sample=true)`), as raw text; `name` is its first word."""

    name: str
    text: str
    span: tuple[int, int]
    attributes: tuple[tuple[str, tuple[int, int]], ...] = ()  # (attribute, span) outside its spansets


@dataclass(frozen=True)
class TraceQuery:
    spansets: list[Spanset]  # every spanset in order, those inside pipeline stages such as compare() too
    pipeline: list[Stage]
    hints: list[Stage]


@dataclass(frozen=True)
class _Tok:
    kind: str  # str num attr op
    text: str
    start: int
    end: int


def parse(text: str) -> TraceQuery:
    """The structure of a TraceQL query; raises TraceQLSyntaxError if it is malformed or not TraceQL."""
    toks = _tokenize(text)
    if not any(t.text == "{" for t in toks if t.kind == "op"):
        raise TraceQLSyntaxError('not TraceQL: no spanset filter such as { span.http.method = "GET" }', 0)
    spansets: list[Spanset] = []
    pipeline: list[Stage] = []
    hints: list[Stage] = []
    stage: tuple[int, int] | None = None  # (index of its `|`, parenthesis depth there)
    depth = i = 0

    def end_stage(last: int):
        nonlocal stage
        if stage is not None:
            first = stage[0]
            if last <= first:
                raise TraceQLSyntaxError("expected a pipeline stage after '|'", toks[first].start)
            pipeline.append(_stage(text, toks[first + 1], toks[first].start, toks[last].end))
            stage = None

    while i < len(toks):
        tok = toks[i]
        if tok.kind == "op" and tok.text == "{":
            close = next(k for k in range(i, len(toks)) if toks[k].kind == "op" and toks[k].text == "}")
            spansets.append(_spanset(text, toks[i:close + 1]))
            i = close
        elif tok.kind == "op" and tok.text in ("(", ")"):
            depth += 1 if tok.text == "(" else -1
            if stage is not None and depth < stage[1]:
                end_stage(i - 1)
        elif tok.kind == "op" and tok.text == "|":
            end_stage(i - 1)
            stage = (i, depth)
        elif tok.kind == "attr" and tok.text == "with" and i + 1 < len(toks) and toks[i + 1].text == "(":
            end_stage(i - 1)
            close = _matching_paren(toks, i + 1)
            hints.append(_stage(text, tok, tok.start, toks[close].end))
            i = close
        i += 1
    end_stage(len(toks) - 1)
    inside = [s.span for s in spansets]
    pipeline = [_with_attributes(stage, toks, inside) for stage in pipeline]
    return TraceQuery(spansets, pipeline, hints)


def _with_attributes(stage: Stage, toks: list[_Tok], spansets: list[tuple[int, int]]) -> Stage:
    """The stage with the attributes it names itself: `select(span.a, .b)`, `by (resource.c)`."""
    start, end = stage.span
    found = tuple(
        (t.text, (t.start, t.end)) for t in toks
        if t.kind == "attr" and start <= t.start < end and t.text not in STATICS and "." in t.text
        and not any(a <= t.start < b for a, b in spansets)
    )
    return Stage(stage.name, stage.text, stage.span, found)


def is_trace_id(text: str) -> bool:
    """True for a trace lookup rather than a TraceQL query: a hex trace id, or a lone Grafana variable
    (`${traceId}`), which Grafana's Tempo query field takes as an id."""
    return bool(_TRACE_ID.fullmatch(text)) or only_reference(text) is not None


def is_empty_filter(spanset: Spanset) -> bool:
    """True for `{}` and `{ true }`: a spanset that matches every span, so Tempo scans everything."""
    return re.sub(r"[\s()]", "", spanset.text) in ("", "true")


def scope_of(attribute: str) -> str:
    """span, resource, event, link or instrumentation for `scope.name`; unscoped for `.name`;
    intrinsic for the rest (status, duration, trace:duration, span:status, event:name...)."""
    if attribute.startswith("."):
        return "unscoped"
    name = attribute.removeprefix("parent.")
    head, dot, _ = name.partition(".")
    if dot and head in SCOPES:
        return head
    return "unscoped" if name != attribute else "intrinsic"


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    open_: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            what = "unterminated string" if text[pos] in "\"`" else f"unexpected character {text[pos]!r}"
            raise TraceQLSyntaxError(what, pos)
        kind, word = m.lastgroup, m.group()
        pos = m.end()
        if kind == "ws":
            continue
        toks.append(_Tok(kind, word, m.start(), pos))
        if kind != "op" or word not in ("{", "}", "(", ")"):
            continue
        if word == "{" and any(t.text == "{" for t in open_):
            raise TraceQLSyntaxError("a spanset cannot contain another '{'", m.start())
        if word in ("{", "("):
            open_.append(toks[-1])
        elif not open_ or open_.pop().text != {"}": "{", ")": "("}[word]:
            raise TraceQLSyntaxError(f"unbalanced {word!r}", m.start())
    if open_:
        raise TraceQLSyntaxError(f"unclosed {open_[-1].text!r}", open_[-1].start)
    return toks


def _matching_paren(toks: list[_Tok], i: int) -> int:
    depth = 0
    for k in range(i, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[k].text, 0) if toks[k].kind == "op" else 0
        if depth == 0:
            return k
    raise AssertionError("parentheses are balanced by _tokenize")


def _stage(text: str, first: _Tok, start: int, end: int) -> Stage:
    return Stage(first.text if first.kind == "attr" else "", text[start:end], (start, end))


def _spanset(text: str, toks: list[_Tok]) -> Spanset:
    """The conditions of `{ ... }`: split on && and ||, parentheses and ! dropped, one per comparison."""
    conditions, piece = [], []
    for tok in toks[1:-1] + [_Tok("op", "&&", 0, 0)]:
        if tok.kind == "op" and tok.text in ("&&", "||"):
            condition = _condition(text, piece)
            conditions += [condition] if condition else []
            piece = []
        elif tok.kind != "op" or tok.text not in ("(", ")", "!"):
            piece.append(tok)
    inner = text[toks[0].end:toks[-1].start].strip()
    return Spanset((toks[0].start, toks[-1].end), conditions, inner)


def _condition(text: str, toks: list[_Tok]) -> Condition | None:
    if not toks:
        return None
    cmp = next((k for k, t in enumerate(toks) if t.kind == "op" and t.text in COMPARISONS), len(toks))
    left, right = toks[:cmp], toks[cmp + 1:]
    for side, other in ((left, right), (right, left)):
        attr = next((t for t in side if t.kind == "attr" and t.text not in STATICS), None)
        if attr:
            break
    else:
        return None  # no attribute: `true`, `1 = 1`
    if len(other) == 1 and other[0].kind == "str":
        value = _unquote(other[0].text)
    else:
        value = text[other[0].start:other[-1].end] if other else ""
    name = re.sub(_QUOTED, lambda m: _unquote(m.group()), attr.text)
    op = toks[cmp].text if cmp < len(toks) else ""
    return Condition(name, scope_of(name), op, value, (toks[0].start, toks[-1].end))


def _unquote(quoted: str) -> str:
    """The common escapes (\\" \\\\ \\n \\t \\r); enough to compare values, not a full Go unquote."""
    if quoted[0] == "`":
        return quoted[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), quoted[1:-1], flags=re.S)
