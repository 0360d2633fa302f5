"""Business metrics: how much money and how many payments MPAC processes, and for how many merchants."""

from dashboards._mpac import PROMETHEUS, env_variable, mpac_dashboard, multi_variable, prometheus_variable
from dashgen.panels import PromQuery, dashboard_link, row, stat, steps, timeseries, top_n

folder = "MPAC"

SELECTED = 'env="$env", region=~"$region"'
YEN = SELECTED + ', currency="JPY"'  # minor units of JPY are yen
APPROVED = SELECTED + ', status="approved"'
AMOUNT = "payment_approved_amount_minor_total"
TRANSACTIONS = "payment_transactions_total"


def per_minute(metric: str, selector: str) -> str:
    return f"sum(rate({metric}{{{selector}}}[$__rate_interval])) * 60"


def today(metric: str, selector: str, offset: str = "") -> str:
    """The total since midnight (the panels' range is "now/d"), optionally as it was `offset` ago."""
    return f"sum(increase({metric}{{{selector}}}[$__range]{f' offset {offset}' if offset else ''}))"


revenue = row(
    "Revenue",
    stat(
        "Revenue today", "Value of approved transactions since midnight, in yen.",
        [PromQuery(today(AMOUNT, YEN), legend="today", instant=True)], datasource=PROMETHEUS, unit="currencyJPY",
        decimals=0, time_from="now/d", w=8,
    ),
    stat(
        "Same time last week", "Value of approved transactions from midnight to this time of day, one week ago.",
        [PromQuery(today(AMOUNT, YEN, offset="1w"), legend="last week", instant=True)], datasource=PROMETHEUS,
        unit="currencyJPY", decimals=0, time_from="now/d", w=8,
    ),
    stat(
        "Today against last week", "Revenue so far today relative to the same time last week.",
        [PromQuery(f"{today(AMOUNT, YEN)} / {today(AMOUNT, YEN, offset='1w')} - 1", legend="change", instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=1, time_from="now/d",
        thresholds=steps("red", (-0.1, "orange"), (0, "green")), w=8,
    ),
    timeseries(
        "Revenue per minute", "Value of approved transactions per minute in yen; the dashed line is last week.",
        [PromQuery(per_minute(AMOUNT, YEN), legend="this week"),
         PromQuery(f"sum(rate({AMOUNT}{{{YEN}}}[$__rate_interval] offset 1w)) * 60", legend="last week")],
        datasource=PROMETHEUS, unit="currencyJPY", min=0, w=24,
    ),
)

volume = row(
    "Transactions",
    timeseries(
        "Transactions per minute", "All payment transactions per minute, whatever their outcome.",
        [PromQuery(per_minute(TRANSACTIONS, SELECTED), legend="transactions")], datasource=PROMETHEUS,
        unit="short", min=0, w=8,
    ),
    timeseries(
        "Payment success rate", "Share of transactions approved (declines and errors are not).",
        [PromQuery(f"{per_minute(TRANSACTIONS, APPROVED)}\n/\n{per_minute(TRANSACTIONS, SELECTED)}", legend="approved")],
        datasource=PROMETHEUS, unit="percentunit", min=0, max=1, w=8,
    ),
    timeseries(
        "Average transaction value", "Average value of an approved transaction, in yen.",
        [PromQuery(f"{per_minute(AMOUNT, YEN)}\n/\n{per_minute(TRANSACTIONS, APPROVED)}", legend="average")],
        datasource=PROMETHEUS, unit="currencyJPY", min=0, w=8,
    ),
)

merchants = row(
    "Merchants and stores",
    stat(
        "Active merchants", "Merchants with an approved transaction in the last 24 hours (exported by svc-portal).",
        [PromQuery(f"sum(business_active_merchants{{{SELECTED}}})", legend="merchants", instant=True)],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, w=12,
    ),
    stat(
        "Active stores", "Stores with an approved transaction in the last 24 hours (exported by svc-portal).",
        [PromQuery(f"sum(business_active_stores{{{SELECTED}}})", legend="stores", instant=True)],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, w=12,
    ),
)

top = row(
    "Where the volume comes from",
    top_n(
        "Top 5 payment methods (range)", "The five payment methods with the most approved value over the range, in yen.",
        n=5, by="payment_method", counter=AMOUNT, selector=YEN, datasource=PROMETHEUS, unit="currencyJPY",
    ),
    top_n(
        "Top 5 regions (range)", "The five regions with the most approved value over the range, in yen.",
        n=5, by="region", counter=AMOUNT, selector=YEN, datasource=PROMETHEUS, unit="currencyJPY",
    ),
)

dashboard = mpac_dashboard(
    "Business metrics", "business-metrics",
    "Revenue, transactions, success rate and active merchants of MPAC, for the business owners.",
    [
        prometheus_variable(),
        env_variable(TRANSACTIONS),
        multi_variable("region", "Region", TRANSACTIONS, "Regions the transactions come from."),
    ],
    [revenue, volume, merchants, top],
    links=[dashboard_link("Payment processing", "payment-processing", "The gateway behind these numbers")],
)
