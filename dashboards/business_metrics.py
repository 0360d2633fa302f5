"""Business metrics: how much money and how many payments MPAC processes, and for how many merchants."""

from dashboards._mpac import PROMETHEUS, env_variable, mpac_dashboard, multi_variable, prometheus_variable
from dashgen.panels import (
    PromQuery, dashboard_link, dashed, gauge_sum, increase_sum, rate_sum, ratio, row, stat, steps, timeseries, top_n,
)

SELECTED = 'env="$env", region=~"$region"'
APPROVED = SELECTED + ', status="approved"'
# MPAC settles in yen: revenue counts JPY only (no minor unit, so one unit is one yen), and so do the
# transactions it is divided by.
YEN = SELECTED + ', currency="JPY"'
APPROVED_YEN = APPROVED + ', currency="JPY"'
AMOUNT = "payment_approved_amount_minor_total"
TRANSACTIONS = "payment_transactions_total"
BUSINESS_DAY = "now/d"  # midnight in the dashboard's time zone, Tokyo's


revenue = row(
    "Revenue (JPY)",
    stat(
        "Revenue today (JPY)", "Value of approved yen transactions since midnight in Tokyo.",
        [PromQuery(increase_sum(AMOUNT, YEN), legend="today", instant=True)], datasource=PROMETHEUS,
        unit="currencyJPY", decimals=0, time_from=BUSINESS_DAY, w=8,
    ),
    stat(
        "Same time last week (JPY)", "Value of approved yen transactions from midnight to this time of day, one week ago.",
        [PromQuery(increase_sum(AMOUNT, YEN, offset="1w"), legend="last week", instant=True)], datasource=PROMETHEUS,
        unit="currencyJPY", decimals=0, time_from=BUSINESS_DAY, w=8,
    ),
    stat(
        "Today against last week", "Yen revenue so far today relative to the same time last week.",
        [PromQuery(f"{increase_sum(AMOUNT, YEN)} / {increase_sum(AMOUNT, YEN, offset='1w')} - 1", legend="change",
                   instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=1, time_from=BUSINESS_DAY,
        thresholds=steps("red", (-0.1, "orange"), (0, "green")), w=8,
    ),
    timeseries(
        "Revenue per minute (JPY)", "Value of approved yen transactions per minute; the dashed line is last week.",
        [PromQuery(rate_sum(AMOUNT, YEN, per="minute"), legend="this week"),
         PromQuery(rate_sum(AMOUNT, YEN, per="minute", offset="1w"), legend="last week")],
        datasource=PROMETHEUS, unit="currencyJPY", min=0, w=24, overrides=[dashed("last week")],
    ),
)

volume = row(
    "Transactions",
    timeseries(
        "Transactions per minute", "All payment transactions per minute, whatever their outcome or currency.",
        [PromQuery(rate_sum(TRANSACTIONS, SELECTED, per="minute"), legend="transactions")], datasource=PROMETHEUS,
        unit="opm", min=0, w=8,
    ),
    timeseries(
        "Payment success rate", "Share of transactions approved (declines and errors are not).",
        [PromQuery(ratio(rate_sum(TRANSACTIONS, APPROVED), rate_sum(TRANSACTIONS, SELECTED)), legend="approved")],
        datasource=PROMETHEUS, unit="percentunit", min=0, max=1, w=8,
    ),
    timeseries(
        "Average transaction value (JPY)", "Average value of an approved yen transaction.",
        [PromQuery(f"{rate_sum(AMOUNT, YEN)}\n/\n{rate_sum(TRANSACTIONS, APPROVED_YEN)}", legend="average")],
        datasource=PROMETHEUS, unit="currencyJPY", min=0, w=8,
    ),
)

merchants = row(
    "Merchants and stores",
    stat(
        "Active merchants", "Merchants with an approved transaction in the last 24 hours (exported by svc-portal).",
        [PromQuery(gauge_sum("business_active_merchants", SELECTED), legend="merchants")],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, w=12,
    ),
    stat(
        "Active stores", "Stores with an approved transaction in the last 24 hours (exported by svc-portal).",
        [PromQuery(gauge_sum("business_active_stores", SELECTED), legend="stores")],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, w=12,
    ),
)

top = row(
    "Where the volume comes from",
    top_n(
        "Top 5 payment methods (range, JPY)", "The five payment methods with the most approved yen value over the range.",
        n=5, by="payment_method", counter=AMOUNT, selector=YEN, datasource=PROMETHEUS, unit="currencyJPY",
    ),
    top_n(
        "Top 5 regions (range, JPY)", "The five regions with the most approved yen value over the range.",
        n=5, by="region", counter=AMOUNT, selector=YEN, datasource=PROMETHEUS, unit="currencyJPY",
    ),
)

dashboard = mpac_dashboard(
    "Business metrics", "business-metrics",
    "Revenue (JPY), transactions, success rate and active merchants of MPAC, for the business owners;"
    " days are Tokyo days.",
    [
        prometheus_variable(),
        env_variable(TRANSACTIONS),
        multi_variable("region", "Region", TRANSACTIONS, "Regions the transactions come from."),
    ],
    [revenue, volume, merchants, top],
    links=[dashboard_link("Payment processing", "payment-processing", "The gateway behind these numbers", {"env": "${env}"})],
    timezone="Asia/Tokyo",  # "today" is MPAC's business day, whoever looks
)
