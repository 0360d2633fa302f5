"""Service level objectives as Python objects: what a definition under slos/ writes, what the
dashboards read their objective and series names from, and what the rule files are generated from.

An SLO counts events: all of them (`total`) and either the bad ones (`bad`: 5xx responses, failed
payments) or the good ones (`good`: requests under a latency bound). Its error ratio is recorded per
service over every window multi-window, multi-burn-rate alerting reads (Google SRE workbook, ch. 5),
as `service:<sli>:error_ratio_rate<window>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Windows of the recorded error ratios: the alert pairs' long and short windows, and the SLO's.
ALERT_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
SLO_WINDOW = "30d"
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_-]+\Z")
GROUPING = ("env", "service")  # every recorded series keeps these labels, and only these


@dataclass(frozen=True)
class BurnRate:
    """One alert condition: the error ratio over both windows above `factor` times the budget."""

    factor: float
    long: str
    short: str
    severity: str  # "page" or "ticket"


# The SRE workbook's multiwindow, multi-burn-rate table: 2% of a 30-day budget spent in 1 hour or 5%
# in 6 hours pages; 10% in 1 day or 10% in 3 days at the budget's own pace opens a ticket.
BURN_RATES = (
    BurnRate(14.4, "1h", "5m", "page"),
    BurnRate(6, "6h", "30m", "page"),
    BurnRate(3, "1d", "2h", "ticket"),
    BurnRate(1, "3d", "6h", "ticket"),
)
FAST_BURN = BURN_RATES[0].factor  # the rate that pages within the hour, drawn on the dashboards


@dataclass(frozen=True)
class Events:
    """A counter and the matchers that pick the events it counts: `Events("http_server_requests_total",
    'status_code=~"5.."')`."""

    metric: str
    matchers: str = ""

    def selector(self, services: tuple[str, ...]) -> str:
        return f"{self.metric}{{{', '.join(filter(None, (self.matchers, service_matcher(services))))}}}"


def service_matcher(services: tuple[str, ...]) -> str:
    if len(services) == 1:
        return f'service="{services[0]}"'
    return f'service=~"{"|".join(services)}"'  # SERVICE_NAME: nothing a regex or a PromQL string reads specially


@dataclass(frozen=True)
class SLO:
    """One objective for one or more services. `name` names its alerts and rule groups; `sli` its
    recorded series (SLOs of one `sli` must cover different services); `dashboard_url` opens the
    dashboard that shows it, with Prometheus' `{{ $labels.env }}` and `{{ $labels.service }}`."""

    name: str
    sli: str
    description: str  # what is measured, as the alert's description says it
    services: tuple[str, ...]
    objective: float
    total: Events
    bad: Events | None = None
    good: Events | None = None
    window: str = SLO_WINDOW
    runbook_url: str = ""
    dashboard_url: str = ""
    burn_rates: tuple[BurnRate, ...] = field(default=BURN_RATES)

    def __post_init__(self):
        if (self.bad is None) == (self.good is None):
            raise ValueError(f"SLO {self.name!r}: give bad or good events, one of the two")
        if not 0 < self.objective < 1:
            raise ValueError(f"SLO {self.name!r}: objective {self.objective!r} must be between 0 and 1, e.g. 0.999")
        if not self.services or not all(isinstance(s, str) and SERVICE_NAME.match(s) for s in self.services):
            raise ValueError(f"SLO {self.name!r}: services must be one or more service names (letters, digits,"
                             f" '_' and '-'), not {self.services!r}")

    @property
    def error_budget(self) -> float:
        """The share of events that may fail: 0.001 for 99.9%."""
        return round(1 - self.objective, 9)

    def ratio(self, window: str) -> str:
        """The recorded series of the error ratio over `window`, as dashboards and alerts read it."""
        return f"service:{self.sli}:error_ratio_rate{window}"

    def ratio_expr(self, window: str) -> str:
        """The PromQL that records ratio(window): bad events over all, per env and service. With no
        bad event in the window the ratio is 0, not absent (`or 0 * total`); with no event at all it
        is absent, so an idle service neither pages nor shows a perfect score."""
        by = f"sum by ({', '.join(GROUPING)})"
        total = f"{by} (rate({self.total.selector(self.services)}[{window}]))"
        if self.bad is not None:
            bad = f"{by} (rate({self.bad.selector(self.services)}[{window}]))"
            return f"(\n  {bad}\n  or 0 * {total}\n)\n/\n{total}"
        good = f"{by} (rate({self.good.selector(self.services)}[{window}]))"
        return f"1 - (\n  {good}\n  /\n  {total}\n)"

    @property
    def windows(self) -> tuple[str, ...]:
        """Every window its ratio is recorded over: the alerts' and its own."""
        return ALERT_WINDOWS + (() if self.window in ALERT_WINDOWS else (self.window,))
