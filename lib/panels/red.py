"""The RED view of a service: request rate, error ratio and latency, from a request counter and a
duration histogram that share labels."""

from __future__ import annotations

from dashgen.panels.basic import row, timeseries
from dashgen.panels.queries import PromQuery, rate_sum, ratio
from dashgen.panels.thresholds import steps


def _legend(by: str) -> str:
    return " ".join("{{" + label.strip() + "}}" for label in by.split(","))


def latency_panel(
    title: str, description: str, *, histogram: str, selector: str, by: str, datasource: dict,
    quantiles: tuple[float, ...] = (0.5, 0.95, 0.99), slo_seconds: float | None = None,
    w: int = 12, h: int = 8, links: list[dict] | None = None,
) -> object:
    """Quantiles of a `_seconds` histogram per `by`, with exemplars (links to traces) on the highest.

    `histogram` is the metric name without `_bucket`; `selector` the label matchers inside {...}.
    """
    buckets = rate_sum(f"{histogram}_bucket", selector, by=f"{by}, le")
    queries = [
        PromQuery(
            f"histogram_quantile({q}, {buckets})",
            legend=f"p{q * 100:g} {_legend(by)}",
            exemplars=q == max(quantiles),
        )
        for q in quantiles
    ]
    thresholds = steps("green", (slo_seconds, "red")) if slo_seconds else None
    return timeseries(title, description, queries, datasource=datasource, unit="s", thresholds=thresholds,
                      min=0, w=w, h=h, links=links)


def red_row(
    title: str, *, requests: str, errors: str, histogram: str, selector: str, by: str, datasource: dict,
    error_ratio_slo: float | None = None, latency_slo_seconds: float | None = None,
) -> list:
    """A row with three panels: requests per second, error ratio and latency quantiles, per `by`.

    `requests` is a counter of requests, `errors` the extra matchers that select failed ones
    (e.g. 'status_code=~"5.."'), `histogram` the duration histogram without `_bucket`.
    """
    total = rate_sum(requests, selector, by=by)
    failed = rate_sum(requests, f"{selector}, {errors}", by=by)
    error_thresholds = steps("green", (error_ratio_slo, "red")) if error_ratio_slo else None
    return row(
        title,
        timeseries(
            "Request rate", f"Requests per second per {by}.",
            [PromQuery(total, legend=_legend(by))], datasource=datasource, unit="reqps", min=0, w=8,
        ),
        timeseries(
            "Error ratio", f"Share of requests that failed ({errors}) per {by}; the line is the SLO.",
            [PromQuery(ratio(failed, total), legend=_legend(by))], datasource=datasource,
            unit="percentunit", min=0, thresholds=error_thresholds, w=8,
        ),
        latency_panel(
            "Latency", f"p50, p95 and p99 request duration per {by}; dots are exemplars linking to traces.",
            histogram=histogram, selector=selector, by=by, datasource=datasource,
            slo_seconds=latency_slo_seconds, w=8,
        ),
    )
