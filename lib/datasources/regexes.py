"""Derived-field regexes: written in the syntax RE2 and JavaScript share, one capture group, and
finding the expected trace id in every sample log line.

Grafana applies a derived field in the browser: `line.match(matcherRegex)`, a JavaScript RegExp built
from the string without flags, and links to the first group (public/app/plugins/datasource/loki/
getDerivedFields.ts). The pattern must also be valid RE2, so that it means the same on the Go side
of the stack (LogQL's `|~` and `regexp` stages, where the same pattern is often reused). RE2 accepts
constructs that JavaScript rejects ("(?i)", "(?P<id>") or reads as something else ("\\z" is the
letter z, "[[:xdigit:]]" a class of "[:xdigt" followed by "]"); those are refused by name. Sample
lines then run through RE2 and through Python's re with re.ASCII, which for the remaining subset
behaves nearly as JavaScript does (JavaScript's \\s also takes Unicode spaces; Python's $ also matches
before a final newline); both must extract the expected id. No JavaScript engine is needed.

RE2 runs in linear time, but JavaScript and Python's re backtrack: a group that repeats a repeat,
(a+)+, takes time exponential in the length of a line that almost matches, in the browser as here.
Such patterns are refused before any sample runs, and the Python check of the samples is cut off
after a second (deadline.py), so that no pattern can hang a build, lint, diff or push.
"""

from __future__ import annotations

import re
import warnings

from dashgen.datasources.deadline import LIMIT_S, first_groups

# Character classes JavaScript has no POSIX name for, and what to write instead.
_POSIX = {
    "alnum": "[a-zA-Z0-9]", "alpha": "[a-zA-Z]", "digit": "[0-9]", "lower": "[a-z]", "space": r"\s",
    "upper": "[A-Z]", "word": r"\w", "xdigit": "[0-9a-fA-F]",
}
_ESCAPES = {
    "z": r"\z is the letter z in JavaScript; use $",
    "A": r"\A is the letter A in JavaScript; use ^",
    "Z": r"\Z is the letter Z in JavaScript; use $",
    "C": r"\C is the letter C in JavaScript; use .",
    "Q": r"\Q...\E quoting is not JavaScript; escape each special character with \ instead",
    "p": r"\p{...} classes need JavaScript's u flag, which Grafana does not set; list the characters",
    "P": r"\P{...} classes need JavaScript's u flag, which Grafana does not set; list the characters",
}
_FLAGS = re.compile(r"\(\?[a-zA-Z-]+[):]")
_COUNTED = re.compile(r"\{\d+(?:,\d*)?\}")
_UP_TO = re.compile(r"\{,\d+\}")
_NAMED_GROUP = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\(\?<(?=[A-Za-z_])")


def regex_problems(pattern: str, samples) -> list[str]:
    """What is wrong with a derived field's regex, as messages; [] when it is fine."""
    re2_pattern = compile_re2(pattern)
    if isinstance(re2_pattern, str):
        return [f"regex {pattern!r} is not valid RE2: {re2_pattern}"]
    problem = javascript_problem(pattern)
    if problem:
        return [f"regex {pattern!r} does not work in JavaScript, in which Grafana applies it (in the browser):"
                f" {problem}"]
    if re2_pattern.groups != 1:
        return [f"regex {pattern!r} has {re2_pattern.groups} capture groups; it needs exactly one, around the trace id"]
    nested = nested_repeat(pattern)
    if nested:
        return [f"regex {pattern!r} repeats {nested!r}, a group that holds a repeat itself: nested quantifiers"
                " backtrack exponentially in the browser's JavaScript regex engine (a line that almost matches"
                " freezes the tab); repeat once, e.g. [\\w-]+ rather than (\\w+-?)+"]
    js_pattern = compile_javascript_like(pattern)
    if isinstance(js_pattern, str):
        return [f"regex {pattern!r} is refused by Python's re, which stands in for JavaScript: {js_pattern}"]
    if not samples:
        return ["declare sample log lines (samples=...) that the regex must find a trace id in"]
    browser = first_groups(js_pattern, [sample.line for sample in samples])
    if browser is None:
        return [f"regex {pattern!r} takes more than {LIMIT_S:g} s on its sample lines in Python's re, a backtracking"
                " engine like the browser's JavaScript: make its alternatives and repeats unambiguous (no two"
                " ways to match the same text)"]
    problems = []
    for sample, in_browser in zip(samples, browser):
        found = _first_group(re2_pattern, sample.line)
        if found != sample.trace_id:
            problems.append(f"regex finds {found!r} instead of {sample.trace_id!r} in sample line {sample.line[:80]!r}")
        elif in_browser != sample.trace_id:
            problems.append(f"regex finds {in_browser!r} in JavaScript (checked with Python's re) instead of"
                            f" {sample.trace_id!r} in sample line {sample.line[:80]!r}")
    return problems


def compile_re2(pattern: str):
    """The compiled RE2 pattern, or RE2's reason for rejecting it."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        return reason.decode() if isinstance(reason, bytes) else str(reason)


def compile_javascript_like(pattern: str):
    """The pattern compiled by Python's re as JavaScript would run it (ASCII \\w, \\d, \\s, \\b; a
    `(?<name>` group spelled the Python way), or re's reason for rejecting it."""
    python = _NAMED_GROUP.sub(lambda m: "(?P<" if m.group() == "(?<" else m.group(), pattern)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning on "[[" and the like: not ours to report
            return re.compile(python, re.ASCII)
    except re.error as exc:
        return str(exc)


def javascript_problem(pattern: str) -> str:
    """The first construct of an RE2 pattern that JavaScript rejects or reads differently, or ""."""
    i, in_class = 0, False
    while i < len(pattern):
        char, rest = pattern[i], pattern[i:]
        if char == "\\":
            follower = pattern[i + 1:i + 2]
            if follower in _ESCAPES:
                return _ESCAPES[follower]
            if rest.startswith("\\x{"):
                return r"\x{...} is x repeated in JavaScript; write \xHH"
            i += 2
            continue
        if in_class:
            posix = re.match(r"\[:(\^?)(\w+):\]", rest)
            if posix:
                negated, name = posix.groups()
                instead = "a negated class such as [^0-9]" if negated else _POSIX.get(name, "the characters themselves")
                return (f"POSIX class {posix.group()} is not JavaScript, where it matches other characters;"
                        f" write {instead}")
            in_class = char != "]"
        elif char == "[":
            in_class = True
            first = i + 2 if rest.startswith("[^") else i + 1
            if pattern[first:first + 1] == "]":
                return r"']' first in a class closes it in JavaScript ([] matches nothing, [^] anything); write \]"
            i = first
            continue
        elif rest.startswith(("(?P<", "(?P=", "(?P>")):
            return f"{rest[:4]} is not JavaScript; write a plain group, or (?<name>...) for a named one"
        elif rest.startswith(("(?>", "(?#")):
            return f"{rest[:3]} (atomic groups and comments) is not JavaScript"
        elif _FLAGS.match(rest):
            flags = _FLAGS.match(rest).group()
            shown = flags if flags.endswith(")") else flags + "...)"
            return (f"inline flags {shown} are not JavaScript (and Grafana sets no flags); match both cases with"
                    " classes such as [iI][dD]")
        elif char in "*+?}" and pattern[i + 1:i + 2] == "+" and (char != "}" or _counted_before(pattern, i + 1)):
            return f"possessive quantifier {pattern[i:i + 2]} is not JavaScript"
        elif _UP_TO.match(rest):
            return (f"{_UP_TO.match(rest).group()} is literal text in JavaScript and RE2 but a repetition in other"
                    r" engines; write {0,n} for a repetition, \{ for a brace")
        i += 1
    return ""


def nested_repeat(pattern: str) -> str:
    """The first group of a JavaScript-compatible RE2 pattern that is repeated (*, +, {n,} or {n,m})
    and holds a repeat itself, such as (a+)+ or (\\w+\\s?)*, or "". A fixed count ({3}) and ? do not
    count: (\\d+\\.){3} and (-?\\w)+ backtrack little."""
    opened: list[int] = []  # where each open group starts
    holds = [False]  # whether the group being read (the whole pattern first) holds a repeat
    group = None  # (start, holds a repeat) of a group that has just closed
    i = 0
    while i < len(pattern):
        char, atom = pattern[i], None
        if char == "\\":
            i += 2
        elif char == "[":
            i = _class_end(pattern, i)
        elif char == "(":
            opened.append(i)
            holds.append(False)
            i += 1
        elif char == ")" and opened:
            atom, i = (opened.pop(), holds.pop()), i + 1
            holds[-1] = holds[-1] or atom[1]
        else:
            end, repeats = _quantifier(pattern, i)
            if end > i:
                if repeats and group and group[1]:
                    return pattern[group[0]:end]
                holds[-1] = holds[-1] or repeats
                i = end
            else:
                i += 1
        group = atom
    return ""


def _class_end(pattern: str, start: int) -> int:
    """Just past the "]" that closes the class opened at `start`."""
    i = start + (2 if pattern.startswith("[^", start) else 1)  # a "]" first was refused (javascript_problem)
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _quantifier(pattern: str, i: int) -> tuple[int, bool]:
    """(just past the quantifier at `i` and its lazy "?", whether it repeats a variable number of times
    more than once); (i, False) when there is none."""
    counted = _COUNTED.match(pattern, i)
    if pattern[i] in "*+?":
        end, repeats = i + 1, pattern[i] != "?"
    elif counted:
        low, _, high = counted.group()[1:-1].partition(",")
        end, repeats = counted.end(), "," in counted.group() and (not high or int(high) > max(int(low), 1))
    else:
        return i, False
    return end + (pattern[end:end + 1] == "?"), repeats


def _counted_before(pattern: str, end: int) -> bool:
    return any(m.end() == end for m in _COUNTED.finditer(pattern[:end]))


def _first_group(pattern, line: str):
    match = pattern.search(line)
    return match.group(1) if match else None
