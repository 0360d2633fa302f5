"""Service level objectives and the Prometheus rules generated from them (see slo.model, slo.rules)."""

from dashgen.slo.model import BURN_RATES, FAST_BURN, SLO, BurnRate, Events
from dashgen.slo.rules import Alert


def dashboard_url(grafana: str, uid: str) -> str:
    """A link from an alert to a dashboard filtered to the alert's environment and service."""
    return f"{grafana.rstrip('/')}/d/{uid}?var-env={{{{ $labels.env }}}}&var-service={{{{ $labels.service }}}}"


__all__ = ["Alert", "BURN_RATES", "BurnRate", "Events", "FAST_BURN", "SLO", "dashboard_url"]
