"""Suppressions that suppress nothing: `[tool.dashgen.lint]` suppress entries that no finding of the
project matches (a panel was renamed, a query fixed, a rule ignored), reported so they can go.

Only a lint of the whole project can tell: a subset of files may just not hold what one matches."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashgen.errors import Location
from dashgen.lint.config import LintConfig, Suppression, rule_matches
from dashgen.lint.model import Problem

HELP = "remove it; if its dashboard or panel was renamed, rename it here too"
HELP_DISABLED = "its rule is not enabled by select/ignore, so it can match nothing; remove it"
# Where each [[tool.dashgen.lint.suppress]] table starts; tomllib gives no positions.
HEADER = re.compile(r"^[ \t]*\[\[[ \t]*tool[ \t]*\.[ \t]*dashgen[ \t]*\.[ \t]*lint[ \t]*\.[ \t]*suppress[ \t]*\]\]",
                    re.M)


@dataclass(frozen=True)
class UnusedSuppression:
    index: int  # in the suppress list, from 0
    suppression: Suppression
    line: int | None  # of its [[tool.dashgen.lint.suppress]] header, when the file has one per entry
    rule_enabled: bool  # False: select/ignore turn off every rule it names

    @property
    def location(self) -> str:
        return f"{Location(file='pyproject.toml', line=self.line)} [tool.dashgen.lint] suppress[{self.index}]"

    @property
    def names(self) -> str:
        """What it matches, as written: "rule 'promql/x' · dashboard 'd' · panel 'p'"."""
        s = self.suppression
        parts = [f"{key} {value!r}" for key, value in (("rule", s.rule), ("dashboard", s.dashboard),
                                                       ("panel", s.panel)) if value]
        return " · ".join(parts) or "every finding"

    @property
    def help(self) -> str:
        return HELP if self.rule_enabled else HELP_DISABLED

    def json(self) -> dict:
        s = self.suppression
        return {"index": self.index, "line": self.line, "rule": s.rule or None, "dashboard": s.dashboard or None,
                "panel": s.panel or None, "reason": s.reason}


def unused(problems: list[Problem], config: LintConfig, known_rules, pyproject: str) -> list[UnusedSuppression]:
    """The suppressions that cover none of `problems` (all of a project's findings), in file order.
    One covering a finding counts as used even when an earlier one took the finding first: it
    matches something, and would take over if the earlier one went."""
    used = {i for problem in problems for i, s in enumerate(config.suppress)
            if s.covers(problem.rule, problem.dashboard, problem.panel)}
    headers = [pyproject.count("\n", 0, m.start()) + 1 for m in HEADER.finditer(pyproject)]
    lines = headers if len(headers) == len(config.suppress) else [None] * len(config.suppress)
    return [
        UnusedSuppression(i, s, lines[i], _rule_enabled(s, config, known_rules))
        for i, s in enumerate(config.suppress) if i not in used
    ]


def _rule_enabled(suppression: Suppression, config: LintConfig, known_rules) -> bool:
    return not suppression.rule or any(config.enabled(rule) for rule in known_rules
                                       if rule_matches(suppression.rule, rule))
