"""dashgen: Grafana dashboards and datasources as code.

The package stays import-light on purpose: `dashgen --help` must not pay for grafanalib or jsonschema.
"""

__version__ = "0.1.0"
