"""What every MPAC dashboard shares: datasources, variables, links and the label
conventions of the platform's telemetry contract (the metrics themselves are in catalogue/, the
objectives in slos/)."""

from grafanalib.core import Dashboard, Templating, Time

from datasources import mpac as stack
from dashgen.panels import dashboard_link, dashboards_menu, datasource_variable, query_variable, series_link

# Prometheus is chosen through the `datasource` variable (the stack's Prometheus by default);
# Loki and Tempo are the stack's own.
PROMETHEUS = {"type": stack.PROMETHEUS.type, "uid": "${datasource}"}
LOKI = stack.LOKI.ref()
TEMPO = stack.TEMPO.ref()

# The matchers every service query carries: PromQL series and Loki streams share these labels.
SERVICE = 'env="$env", service=~"$service"'

TAG = "mpac"
SERVICE_HEALTH = "service-health"
FLEET_SERVICE = "svc-smarttab"  # the service the SmartPOS terminals talk to; it exports the fleet metrics


def env_variable(metric: str) -> dict:
    return query_variable(
        "env", "Environment", f"label_values({metric}, env)", datasource=PROMETHEUS,
        description="Deployment environment (local, staging, production).", default="production",
    )


def multi_variable(name: str, label: str, metric: str, description: str, of: str = "") -> dict:
    """A multi-select variable over the label `of` (default: `name`) of `metric` in the chosen
    environment, "All" by default."""
    return query_variable(
        name, label, f'label_values({metric}{{env="$env"}}, {of or name})', datasource=PROMETHEUS,
        multi=True, include_all=True, all_value=".+", description=description,
    )


def prometheus_variable() -> dict:
    return datasource_variable(stack.PROMETHEUS.type, default_uid=stack.PROMETHEUS.uid, default_name=stack.PROMETHEUS.name)


def standard_variables(metric: str = "http_server_requests_total") -> list[dict]:
    """datasource, env and service: the three variables every MPAC service dashboard has."""
    return [
        prometheus_variable(),
        env_variable(metric),
        multi_variable("service", "Service", metric, "One or more MPAC services."),
    ]


def service_health_data_link(service: str = "${__field.labels.service}") -> dict:
    """A data link from a clicked series to the service-health dashboard of its service."""
    return series_link(f"Service health of {service}", SERVICE_HEALTH, {"env": "${env}", "service": service})


def service_health_button(service: str = "") -> object:
    """A link-bar button to the service-health dashboard of `service`, or of the services selected
    here when no service is given."""
    if service:
        return dashboard_link(
            f"Service health: {service}", SERVICE_HEALTH, f"RED, SLO and saturation of {service}",
            {"env": "${env}", "service": service},
        )
    return dashboard_link(
        "Service health", SERVICE_HEALTH, "RED, SLO and saturation of the selected services", keep=("env", "service"),
    )


def mpac_dashboard(
    title: str, uid: str, description: str, variables: list, panels: list, links=(), timezone: str = "browser",
) -> Dashboard:
    """A dashboard with MPAC's settings: tag, 1-minute refresh, shared crosshair, the menu of the
    other MPAC dashboards, and `links` (e.g. to the service-health dashboard of its service)."""
    return Dashboard(
        title=title, uid=uid, description=description, tags=[TAG], timezone=timezone, refresh="1m",
        graphTooltip=1, time=Time("now-3h", "now"), templating=Templating(list=variables),
        links=[dashboards_menu("MPAC dashboards", TAG), *links], panels=panels,
    )
