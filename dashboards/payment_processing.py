"""Payment processing: is the mpac-pgw gateway authorizing payments, fast, and are its acquirers healthy?"""

from dashboards._mpac import (
    LOKI, PROMETHEUS, SERVICE, mpac_dashboard, multi_variable, service_health_button, standard_variables,
)
from dashgen.panels import (
    PromQuery, dashboard_link, increase_sum, latency_panel, rate_sum, ratio, row, service_logs_panel, stat, steps,
    timeseries, top_n,
)
from slos.mpac import PAYMENT_SUCCESS

METRIC = "payment_transactions_total"
AMOUNT = "payment_approved_amount_minor_total"
UPSTREAM_CALLS = "payment_upstream_requests_total"
PAYMENTS = SERVICE + ', region=~"$region", acquirer=~"$acquirer", payment_method=~"$payment_method"'
FAILED = PAYMENTS + ', status="error"'
APPROVED = PAYMENTS + ', status="approved"'
# MPAC settles in yen: money panels count JPY only (no minor unit, so one unit is one yen), and so
# do the transactions they divide by.
YEN = PAYMENTS + ', currency="JPY"'
APPROVED_YEN = APPROVED + ', currency="JPY"'
UPSTREAM_FAILED = SERVICE + ', outcome!="success"'
AUTHORIZATION_SLO = PAYMENT_SUCCESS.objective  # share of authorizations answered without a technical error

health = row(
    "Is the gateway authorizing payments?",
    stat(
        "Transactions per second", "All payment transactions per second, now, over the range's trend.",
        [PromQuery(rate_sum(METRIC, PAYMENTS), legend="transactions")], datasource=PROMETHEUS, unit="ops",
        decimals=0, graph=True,
    ),
    stat(
        "Authorization success (range)", f"Share of transactions without a technical error over the range; the SLO is {AUTHORIZATION_SLO:.2%}.",
        [PromQuery(f"1 - {ratio(increase_sum(METRIC, FAILED), increase_sum(METRIC, PAYMENTS))}", legend="success",
                   instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=3,
        thresholds=steps("red", (AUTHORIZATION_SLO, "green")),
    ),
    stat(
        "Approval rate (range)", "Share of transactions the acquirers approved over the range (declines included).",
        [PromQuery(ratio(increase_sum(METRIC, APPROVED), increase_sum(METRIC, PAYMENTS)), legend="approved",
                   instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=1,
    ),
    stat(
        "Declines per second", "Transactions the acquirers declined per second, now, over the range's trend.",
        [PromQuery(rate_sum("payment_declines_total", PAYMENTS), legend="declines")], datasource=PROMETHEUS,
        unit="ops", decimals=1, graph=True,
    ),
    timeseries(
        "Transactions by status", "Transactions per second, stacked by final status.",
        [PromQuery(rate_sum(METRIC, PAYMENTS, by="status"), legend="{{status}}")], datasource=PROMETHEUS,
        unit="ops", stacked=True, min=0,
    ),
    timeseries(
        "Authorization success ratio", f"Share of transactions without a technical error; the line is the {AUTHORIZATION_SLO:.2%} SLO.",
        [PromQuery(f"1 - {ratio(rate_sum(METRIC, FAILED), rate_sum(METRIC, PAYMENTS))}", legend="success")],
        datasource=PROMETHEUS, unit="percentunit", thresholds=steps("red", (AUTHORIZATION_SLO, "green")),
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
        [PromQuery(rate_sum("payment_refunds_total", PAYMENTS, per="minute"), legend="refunds"),
         PromQuery(rate_sum("payment_voids_total", PAYMENTS, per="minute"), legend="voids")],
        datasource=PROMETHEUS, unit="opm", min=0,
    ),
)

money = row(
    "Money processed (JPY)",
    timeseries(
        "Processed amount per minute (JPY)", "Value of approved yen transactions per minute.",
        [PromQuery(rate_sum(AMOUNT, YEN, per="minute"), legend="amount")],
        datasource=PROMETHEUS, unit="currencyJPY", min=0,
    ),
    timeseries(
        "Average ticket (JPY)", "Average value of an approved yen transaction, per payment method.",
        [PromQuery(
            f"{rate_sum(AMOUNT, YEN, by='payment_method')}\n/\n{rate_sum(METRIC, APPROVED_YEN, by='payment_method')}",
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
            ratio(rate_sum(UPSTREAM_CALLS, UPSTREAM_FAILED, by="upstream"), rate_sum(UPSTREAM_CALLS, SERVICE, by="upstream")),
            legend="{{upstream}}",
        )],
        datasource=PROMETHEUS, unit="percentunit", min=0, thresholds=steps("green", (0.01, "orange"), (0.05, "red")),
    ),
    latency_panel(
        "Upstream latency", "p50, p95 and p99 duration of calls to each acquirer or Stripe.",
        histogram="payment_upstream_request_duration_seconds", selector=SERVICE, by="upstream", datasource=PROMETHEUS,
    ),
)

logs = row(
    "Gateway error logs",
    service_logs_panel(
        "Error logs", "The gateway's newest error log lines; open a line's details to jump to its trace.",
        stream=SERVICE, datasource=LOKI,
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
        service_health_button("mpac-pgw"),
        dashboard_link(
            "Database performance", "database-performance", "PostgreSQL and Redis as mpac-pgw sees them",
            {"env": "${env}", "service": "mpac-pgw"},
        ),
        dashboard_link("Business metrics", "business-metrics", "Revenue and volume for the business", {"env": "${env}"}),
    ],
)
