"""Payment processing: is the mpac-pgw gateway authorizing payments, fast, and are its acquirers healthy?"""

from dashboards._mpac import (
    LOKI, PROMETHEUS, link_to_service_health, mpac_dashboard, multi_variable, standard_variables,
)
from dashgen.panels import (
    PromQuery, dashboard_link, latency_panel, row, service_logs_panel, stat, steps, timeseries, top_n,
)

folder = "MPAC"

METRIC = "payment_transactions_total"
PAYMENTS = 'env="$env", service=~"$service", region=~"$region", acquirer=~"$acquirer", payment_method=~"$payment_method"'
FAILED = PAYMENTS + ', status="error"'
APPROVED = PAYMENTS + ', status="approved"'
APPROVED_YEN = PAYMENTS + ', currency="JPY"'  # MPAC settles in yen; JPY has no minor unit, so one unit is one yen
UPSTREAM = 'env="$env", service=~"$service"'
UPSTREAM_FAILED = UPSTREAM + ', outcome!="success"'
AUTHORIZATION_SLO = 0.9995  # share of authorizations answered without a technical error


def per_second(metric: str, selector: str = PAYMENTS, by: str = "") -> str:
    grouping = f"sum by ({by}) " if by else "sum"
    return f"{grouping}(rate({metric}{{{selector}}}[$__rate_interval]))"


def in_range(metric: str, selector: str = PAYMENTS) -> str:
    return f"sum(increase({metric}{{{selector}}}[$__range]))"


SUCCESS_RATIO = f"1 - {per_second(METRIC, FAILED)} / {per_second(METRIC)}"

health = row(
    "Is the gateway authorizing payments?",
    stat(
        "Transactions per second", "All payment transactions per second, now.",
        [PromQuery(per_second(METRIC), legend="tps", instant=True)], datasource=PROMETHEUS, unit="tps",
        decimals=0, graph=True,
    ),
    stat(
        "Authorization success (range)", f"Share of transactions without a technical error over the range; the SLO is {AUTHORIZATION_SLO:.2%}.",
        [PromQuery(f"1 - {in_range(METRIC, FAILED)} / {in_range(METRIC)}", legend="success", instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=3,
        thresholds=steps("red", (AUTHORIZATION_SLO, "green")),
    ),
    stat(
        "Approval rate (range)", "Share of transactions the acquirers approved over the range (declines included).",
        [PromQuery(f"{in_range(METRIC, APPROVED)} / {in_range(METRIC)}", legend="approved", instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=1,
    ),
    stat(
        "Declines per second", "Transactions the acquirers declined per second, now.",
        [PromQuery(per_second("payment_declines_total"), legend="declines", instant=True)], datasource=PROMETHEUS,
        unit="tps", decimals=1, graph=True,
    ),
    timeseries(
        "Transactions by status", "Transactions per second, stacked by final status.",
        [PromQuery(per_second(METRIC, by="status"), legend="{{status}}")], datasource=PROMETHEUS, unit="tps",
        stacked=True, min=0,
    ),
    timeseries(
        "Authorization success ratio", f"Share of transactions without a technical error; the line is the {AUTHORIZATION_SLO:.2%} SLO.",
        [PromQuery(SUCCESS_RATIO, legend="success")], datasource=PROMETHEUS, unit="percentunit",
        thresholds=steps("red", (AUTHORIZATION_SLO, "green")),
    ),
)

latency = row(
    "Authorization latency",
    latency_panel(
        "Latency by acquirer", "p50, p95 and p99 authorization time per acquirer; dots are exemplars linking to traces.",
        histogram="payment_authorization_duration_seconds", selector=PAYMENTS, by="acquirer", datasource=PROMETHEUS,
        slo_seconds=2,
    ),
    latency_panel(
        "Latency by payment method", "p50, p95 and p99 authorization time per payment method; dots link to traces.",
        histogram="payment_authorization_duration_seconds", selector=PAYMENTS, by="payment_method",
        datasource=PROMETHEUS, slo_seconds=2,
    ),
)

declines = row(
    "Declines, refunds and voids",
    top_n(
        "Top 10 decline reasons (range)", "The ten most frequent reasons acquirers gave for declines over the range.",
        n=10, by="decline_reason", counter="payment_declines_total", selector=PAYMENTS, datasource=PROMETHEUS,
    ),
    timeseries(
        "Refunds and voids", "Refunds of captured payments and voids of authorized ones, per minute.",
        [PromQuery(f"{per_second('payment_refunds_total')} * 60", legend="refunds"),
         PromQuery(f"{per_second('payment_voids_total')} * 60", legend="voids")],
        datasource=PROMETHEUS, unit="short", min=0,
    ),
)

money = row(
    "Money processed (JPY)",
    timeseries(
        "Processed amount per minute", "Value of approved transactions per minute, in yen.",
        [PromQuery(f"{per_second('payment_approved_amount_minor_total', APPROVED_YEN)} * 60", legend="amount")],
        datasource=PROMETHEUS, unit="currencyJPY", min=0,
    ),
    timeseries(
        "Average ticket", "Average value of an approved transaction, in yen, per payment method.",
        [PromQuery(
            f"{per_second('payment_approved_amount_minor_total', APPROVED_YEN, by='payment_method')}\n/\n"
            f"{per_second(METRIC, APPROVED, by='payment_method')}",
            legend="{{payment_method}}",
        )],
        datasource=PROMETHEUS, unit="currencyJPY", min=0,
    ),
)

upstream = row(
    "Upstream: acquirers and Stripe",
    timeseries(
        "Upstream error ratio", "Share of calls to each acquirer or Stripe that failed or timed out.",
        [PromQuery(
            f'{per_second("payment_upstream_requests_total", UPSTREAM_FAILED, by="upstream")}\n/\n'
            f'{per_second("payment_upstream_requests_total", UPSTREAM, by="upstream")}',
            legend="{{upstream}}",
        )],
        datasource=PROMETHEUS, unit="percentunit", min=0, thresholds=steps("green", (0.01, "orange"), (0.05, "red")),
    ),
    latency_panel(
        "Upstream latency", "p50, p95 and p99 duration of calls to each acquirer or Stripe.",
        histogram="payment_upstream_request_duration_seconds", selector=UPSTREAM, by="upstream", datasource=PROMETHEUS,
    ),
)

logs = row(
    "Gateway error logs",
    service_logs_panel(
        "Error logs", "The gateway's newest error log lines; open a line's details to jump to its trace.",
        stream='env="$env", service=~"$service"', datasource=LOKI,
    ),
)

dashboard = mpac_dashboard(
    "Payment processing", "payment-processing",
    "Transactions, authorization success and latency, declines, money and acquirers of the mpac-pgw gateway.",
    [
        *standard_variables(METRIC),
        multi_variable("region", "Region", METRIC, "Regions the transactions come from."),
        multi_variable("acquirer", "Acquirer", METRIC, "Acquirers that authorize the payments."),
        multi_variable("payment_method", "Payment method", METRIC, "Card, QR, e-money and the other methods."),
    ],
    [health, latency, declines, money, upstream, logs],
    links=[
        link_to_service_health("mpac-pgw"),
        dashboard_link("Business metrics", "business-metrics", "Revenue and volume for the business"),
    ],
)
