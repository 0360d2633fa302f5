"""Where a PromQL node is written: promql-parser gives no positions, so a node is found by its
occurrence among the nodes of the same kind and text, in source order, in the expanded query.

Why not the first regex match: `rate(x[5m]) / rate(x[$__interval])` has two ranges and two `x`;
the finding about the second must underline the second. The search runs on a copy of the text with
strings, matcher lists and label lists blanked (so `[0-9]` in a regex is never a range and `by (x)`
never a metric), and compares what is written (`[25h]` parsed) rather than the normalised form
(`1d1h`). When the occurrences found do not line up one to one with the nodes, the span is None:
no underline is better than a wrong one.
"""

from __future__ import annotations

import re
from collections import defaultdict

import promql_parser as pp

from dashgen.lint import promql

Span = tuple[int, int]
_CLAUSE = re.compile(r"(?<![\w:])(?:by|without|on|ignoring|group_left|group_right)\s*\(", re.I)
_MATCHER = re.compile(r"""
    (?P<name>[A-Za-z_]\w*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    (?:\s*(?P<op>=~|!~|!=|=)\s*(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`))?
""", re.X)
_KEYWORDS = {"and", "or", "unless", "bool", "offset"}


class Locator:
    """Spans of the nodes of one parsed expression, in the coordinates of the expanded `text`."""

    def __init__(self, text: str, root: pp.Expr, nodes: list):
        self.text = text
        self.masked = promql.mask(text)  # strings and comments blanked
        self.structure = _blank_lists(self.masked)  # and the insides of {...} and of label lists
        self.root, self.nodes = root, [node for node, _ in nodes]
        self._spans: dict[int, tuple] = {}  # id(node) -> (head, whole, grouping clause or None)
        self._located: set[tuple] = set()  # the keys whose nodes have been looked for

    def head(self, node) -> Span | None:
        """The part that names the node: a selector's metric (its braces when unnamed), a call's or an
        aggregation's name (with a `by (...)` written before the arguments), a range's brackets."""
        found = self._find(node)
        return found[0] if found else None

    def whole(self, node) -> Span | None:
        """From the node's first character to its last (a call with its arguments)."""
        found = self._find(node)
        return found[1] if found else None

    def matchers(self, selector: pp.VectorSelector) -> list[Span | None]:
        """The span of each matcher (`env="prod"`), aligned with promql.matchers(selector)."""
        whole = self.whole(selector)
        if whole is None:
            return [None] * len(promql.matchers(selector))
        brace = self.text.find("{", whole[0], whole[1])
        written: dict[tuple[str, str], list[Span]] = defaultdict(list)
        if brace >= 0:
            for m in _MATCHER.finditer(self.text, brace + 1, whole[1] - 1):
                if m.group("op"):
                    written[(_unquote(m.group("name")), m.group("op"))].append(m.span())
        seen: dict[tuple[str, str], int] = defaultdict(int)
        spans = []
        for name, op, _ in promql.matchers(selector):
            k = seen[(name, op)]
            seen[(name, op)] += 1
            spans.append(written[(name, op)][k] if k < len(written[(name, op)]) else None)
        return spans

    def label(self, node, label: str) -> Span | None:
        """The span of `label` in the `by (...)`/`without (...)` clause of an aggregation."""
        found = self._find(node)
        if not found or not found[2]:
            return None
        start, end = found[2]
        written = re.compile(rf"(?<![\w.]){re.escape(label)}(?![\w.])").search(self.text, start, end)
        return written.span() if written else None

    def _find(self, node) -> tuple | None:
        """(head, whole, clause) of a node, locating every node of its key on the first request."""
        key = _key(node)
        if key is not None and key not in self._located:
            self._located.add(key)
            order = _post_order(self.root) if key[0] == "subquery" else self.nodes  # brackets close inside out
            nodes = [n for n in order if _key(n) == key]
            found = list(self._occurrences(key))
            if len(found) == len(nodes):
                self._spans.update((id(n), spans) for n, spans in zip(nodes, found))
        return self._spans.get(id(node))

    def _occurrences(self, key: tuple):
        """(head, whole, clause) of every place the text writes a node with this key, in text order;
        `clause` is the span of an aggregation's by/without list, else None."""
        kind, what = key[0], key[1:]
        s = self.structure
        if kind == "selector" and what[0]:
            pattern = rf"(?<![\w:]){re.escape(what[0])}(?![\w:])(?!\s*\()"
            for m in re.finditer(pattern, s):
                yield self._selector(m.start(), m.end())
        elif kind == "selector":
            for m in re.finditer(r"\{", s):
                before = re.search(r"([\w:]*)\s*\Z", s[max(0, m.start() - 200):m.start()]).group(1)
                if not before or before.lower() in _KEYWORDS:  # `or {a="b"}` is not a name's matchers
                    yield self._selector(m.start(), m.start())
        elif kind in ("matrix", "subquery"):
            for m in re.finditer(r"\[([^\[\]]*)\]", s):
                parts = m.group(1).split(":")
                if (kind == "subquery") == (len(parts) == 2) and _durations(parts) == what:
                    yield m.span(), m.span(), None
        elif kind == "call":
            for m in re.finditer(rf"(?<![\w:]){re.escape(what[0])}\s*\(", s):
                yield (m.start(), m.start() + len(what[0])), (m.start(), self._close(m.end() - 1)), None
        elif kind == "aggregate":
            pattern = rf"(?<![\w:]){re.escape(what[0])}\s*((?:by|without)\s*(\([^()]*\))\s*)?\("
            for m in re.finditer(pattern, s, re.I):
                end = self._close(m.end() - 1)
                trailing = re.compile(r"\s*(?:by|without)\s*(\([^()]*\))", re.I).match(s, end)
                head_end = len(s[:m.end(1)].rstrip()) if m.group(1) else m.start() + len(what[0])
                clause = m.span(2) if m.group(1) else trailing.span(1) if trailing else None
                yield (m.start(), head_end), (m.start(), trailing.end() if trailing else end), clause

    def _selector(self, start: int, name_end: int) -> tuple:
        brace = re.compile(r"\s*\{").match(self.masked, name_end)
        end = self._close(brace.end() - 1) if brace else name_end
        return ((start, name_end) if name_end > start else (start, end)), (start, end), None

    def _close(self, opening: int) -> int:
        """The offset just after the bracket matching the one at `opening` (strings ignored)."""
        depth = 0
        for i in range(opening, len(self.masked)):
            char = self.masked[i]
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
                if depth == 0:
                    return i + 1
        return len(self.masked)


def _key(node) -> tuple | None:
    if isinstance(node, pp.VectorSelector):
        return ("selector", node.name or "")
    if isinstance(node, pp.MatrixSelector):
        return ("matrix", node.range)
    if isinstance(node, pp.SubqueryExpr):
        return ("subquery", node.range, node.step)
    if isinstance(node, pp.Call):
        return ("call", node.func.name)
    if isinstance(node, pp.AggregateExpr):
        return ("aggregate", str(node.op).lower())
    return None


def _post_order(root):
    stack, out = [(root, False)], []
    while stack:
        node, done = stack.pop()
        if done:
            out.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(promql.children(node)))
    return out


def _durations(parts: list[str]) -> tuple:
    try:
        return tuple(pp.parse_duration(p.strip()) if p.strip() else None for p in parts)
    except ValueError:
        return ()


def _blank_lists(masked: str) -> str:
    """Blanks the inside of every {...} and of every by/without/on/ignoring/group_x (...) list."""
    chars = list(masked)
    for m in re.finditer(r"\{[^{}]*\}", masked):
        chars[m.start() + 1:m.end() - 1] = " " * (m.end() - m.start() - 2)
    for m in _CLAUSE.finditer(masked):
        close = masked.find(")", m.end())
        if close >= 0:
            chars[m.end():close] = " " * (close - m.end())
    return "".join(chars)


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in "\"'`" else name
