"""`dashgen lint`: PromQL, LogQL and TraceQL checks for cardinality and correctness, on this
project's dashboards or on any Grafana dashboard JSON."""
