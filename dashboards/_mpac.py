"""What every MPAC dashboard shares: datasources, variables and the label conventions of the
platform's telemetry contract (see catalogue/metrics.yaml for the metrics themselves)."""

from dashgen.panels import datasource_variable, query_variable

# Prometheus is chosen through the `datasource` variable; Loki and Tempo are the provisioned ones.
PROMETHEUS = {"type": "prometheus", "uid": "${datasource}"}
LOKI = {"type": "loki", "uid": "loki"}
TEMPO = {"type": "tempo", "uid": "tempo"}

# PromQL matchers every service query carries, and the Loki stream selector of a service's logs.
SERVICE = 'env="$env", service=~"$service"'
SERVICE_STREAM = 'env="$env", service=~"$service"'

# The platform's availability objective and the fast-burn paging threshold (2% of a 30-day budget in 1h).
AVAILABILITY_SLO = 0.999
ERROR_BUDGET = 1 - AVAILABILITY_SLO
FAST_BURN = 14.4


def standard_variables(env_metric: str = "http_server_requests_total") -> list[dict]:
    """datasource, env and service: the three variables every MPAC dashboard has."""
    return [
        datasource_variable("prometheus", default_uid="prometheus", default_name="Prometheus"),
        query_variable(
            "env", "Environment", f"label_values({env_metric}, env)", datasource=PROMETHEUS,
            description="Deployment environment (production, staging, ...).",
        ),
        query_variable(
            "service", "Service", f'label_values({env_metric}{{env="$env"}}, service)', datasource=PROMETHEUS,
            multi=True, include_all=True, all_value=".+", description="One or more MPAC services.",
        ),
    ]
