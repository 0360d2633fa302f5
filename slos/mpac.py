"""MPAC's service level objectives and the platform's own alerts. The dashboards read their
objectives and recorded series from here, so changing an objective changes the rules and the
panels together (`dashgen build` writes both)."""

from dashgen.panels import bucket
from dashgen.slo import SLO, Alert, Events, dashboard_url

GRAFANA = "https://grafana.example.com"  # production's Grafana, where alerts link to
RUNBOOKS = "https://runbooks.mpac.example.com/observability"
SERVICES = ("svc-portal", "svc-smarttab", "mpac-pgw")
SERVICE_HEALTH = dashboard_url(GRAFANA, "service-health")
PAYMENTS = dashboard_url(GRAFANA, "payment-processing")

REQUESTS = Events("http_server_requests_total")

AVAILABILITY = SLO(
    name="availability", sli="http_server_requests", services=SERVICES, objective=0.999,
    description="Share of HTTP requests answered without a 5xx",
    total=REQUESTS, bad=Events("http_server_requests_total", 'status_code=~"5.."'),
    runbook_url=f"{RUNBOOKS}/slo-availability", dashboard_url=SERVICE_HEALTH,
)

PAYMENT_SUCCESS = SLO(
    name="payment-technical-success", sli="payment_transactions", services=("mpac-pgw",), objective=0.9995,
    description="Share of payment transactions without a technical error (declines are not errors)",
    total=Events("payment_transactions_total"), bad=Events("payment_transactions_total", 'status="error"'),
    runbook_url=f"{RUNBOOKS}/slo-payment-technical-success", dashboard_url=PAYMENTS,
)

# Seconds within which 99% of each service's requests are answered; a bucket bound of its histogram,
# which reaches Prometheus over OTLP: `le` as stored from there ("2", not "2.0"; see dashgen.panels.bucket).
LATENCY_BOUNDS = {"svc-portal": 0.5, "svc-smarttab": 0.3, "mpac-pgw": 2.0}


def latency(service: str, seconds: float) -> SLO:
    return SLO(
        name=f"latency-{service}", sli="http_server_requests_latency", services=(service,), objective=0.99,
        description=f"Share of {service}'s HTTP requests answered within {seconds:g} s",
        total=Events("http_server_request_duration_seconds_count"),
        good=Events("http_server_request_duration_seconds_bucket", bucket(seconds)),
        runbook_url=f"{RUNBOOKS}/slo-latency", dashboard_url=SERVICE_HEALTH,
    )


LATENCY = {service: latency(service, seconds) for service, seconds in LATENCY_BOUNDS.items()}

slos = [AVAILABILITY, PAYMENT_SUCCESS, *LATENCY.values()]

HIGH_ERROR_RATE = 0.05  # of requests failing with a 5xx over 5 minutes: an outage, whatever the budget
HIGH_P95_SECONDS = 1.0

alerts = [
    Alert(
        name="HighErrorRate", severity="page", for_="5m",
        expr=f"{AVAILABILITY.ratio('5m')} > {HIGH_ERROR_RATE:g}",
        summary="{{ $labels.service }} ({{ $labels.env }}) fails more than 5% of its requests",
        description="More than 5% of the service's HTTP requests have ended with a 5xx for 5 minutes.",
        runbook_url=f"{RUNBOOKS}/high-error-rate", dashboard_url=SERVICE_HEALTH,
    ),
    Alert(
        name="HighLatencyP95", severity="page", for_="10m",
        expr=("histogram_quantile(0.95,\n  sum by (env, service, le) (rate(http_server_request_duration_seconds_bucket[5m]))\n)"
              f" > {HIGH_P95_SECONDS:g}"),
        summary="{{ $labels.service }} ({{ $labels.env }}) answers slowly: p95 above 1 s",
        description="The 95th percentile of the service's HTTP request time has been above 1 s for 10 minutes.",
        runbook_url=f"{RUNBOOKS}/high-latency", dashboard_url=SERVICE_HEALTH,
    ),
]
