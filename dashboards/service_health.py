"""Service health: is each MPAC service up, fast and within its error budget, and if not, why?"""

from dashboards._mpac import LOKI, PROMETHEUS, SERVICE, TEMPO, mpac_dashboard, standard_variables
from dashgen.panels import (
    PromQuery, dashboard_link, red_row, row, service_logs_panel, service_traces_panel, stat, steps, timeseries,
)
from dashgen.slo import FAST_BURN
from slos.mpac import AVAILABILITY

AVAILABILITY_SLO, ERROR_BUDGET = AVAILABILITY.objective, AVAILABILITY.error_budget

RATIO_1H = f"{AVAILABILITY.ratio('1h')}{{{SERVICE}}}"
RATIO_30D = f"{AVAILABILITY.ratio(AVAILABILITY.window)}{{{SERVICE}}}"

slo = row(
    "SLO: availability and error budget",
    stat(
        "Availability (30d)", f"Share of successful requests over 30 days; the objective is {AVAILABILITY_SLO:.1%}.",
        [PromQuery(f"1 - {RATIO_30D}", legend="{{service}}", instant=True)], datasource=PROMETHEUS,
        unit="percentunit", decimals=3, thresholds=steps("red", (AVAILABILITY_SLO, "green")), w=8,
    ),
    stat(
        "Error budget remaining (30d)", "Share of the 30-day error budget not yet spent; at 0% the SLO is missed.",
        [PromQuery(f"1 - {RATIO_30D} / {ERROR_BUDGET:g}", legend="{{service}}", instant=True)],
        datasource=PROMETHEUS, unit="percentunit", decimals=1,
        thresholds=steps("red", (0.25, "orange"), (0.5, "green")), w=8,
    ),
    stat(
        "Burn rate (1h)", f"How fast the last hour spends the error budget; {FAST_BURN:g}x pages on-call.",
        [PromQuery(f"{RATIO_1H} / {ERROR_BUDGET:g}", legend="{{service}}", instant=True)],
        datasource=PROMETHEUS, unit="suffix:x", decimals=1, thresholds=steps("green", (1, "orange"), (FAST_BURN, "red")), w=8,
    ),
    timeseries(
        "Burn rate (1h) over time", f"Error-budget burn rate per service; above the {FAST_BURN:g}x line on-call is paged.",
        [PromQuery(f"{RATIO_1H} / {ERROR_BUDGET:g}", legend="{{service}}")], datasource=PROMETHEUS, unit="suffix:x",
        min=0, thresholds=steps("green", (FAST_BURN, "red")), w=24, h=6,
    ),
)

red = red_row(
    "Traffic, errors and latency",
    requests="http_server_requests_total", errors='status_code=~"5.."',
    histogram="http_server_request_duration_seconds", selector=SERVICE, by="service",
    datasource=PROMETHEUS, error_ratio_slo=ERROR_BUDGET,
)

saturation = row(
    "Saturation: CPU and memory of the service's tasks",
    timeseries(
        "CPU of the busiest task", "CPU used by the service's busiest task as a share of its limit; near 100% it is throttled.",
        [PromQuery(
            f"max by (service) (\n  rate(container_cpu_usage_seconds_total{{{SERVICE}}}[$__rate_interval])\n"
            f"  / container_cpu_limit_cores{{{SERVICE}}}\n)",
            legend="{{service}}",
        )],
        datasource=PROMETHEUS, unit="percentunit", min=0, thresholds=steps("green", (0.7, "orange"), (0.9, "red")),
    ),
    timeseries(
        "Memory of the fullest task", "Working set of the service's fullest task as a share of its limit; at 100% it is killed.",
        [PromQuery(
            f"max by (service) (\n  container_memory_working_set_bytes{{{SERVICE}}}\n"
            f"  / container_memory_limit_bytes{{{SERVICE}}}\n)",
            legend="{{service}}",
        )],
        datasource=PROMETHEUS, unit="percentunit", min=0, thresholds=steps("green", (0.8, "orange"), (0.95, "red")),
    ),
)

failures = row(
    "Failures: error logs and traces",
    service_logs_panel(
        "Error logs", "The services' newest error log lines; open a line's details to jump to its trace.",
        stream=SERVICE, datasource=LOKI,
    ),
    service_traces_panel(
        "Slow and failing traces", "The newest traces in which a span of the service failed or took over 1s; click one to open it.",
        traceql='{resource.service.name=~"$service" && resource.deployment.environment.name="$env"'
                " && (status = error || duration > 1s)}",
        datasource=TEMPO,
    ),
)

dashboard = mpac_dashboard(
    "Service health", "service-health",
    "RED metrics, SLO and saturation of the MPAC services, with their error logs and traces.",
    standard_variables(), [slo, red, saturation, failures],
    links=[dashboard_link(
        "Database performance", "database-performance", "Connection pools and query latency of the selected services",
        keep=("env", "service"),
    )],
)
