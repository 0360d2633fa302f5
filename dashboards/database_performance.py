"""Database performance: are PostgreSQL and Redis keeping up with the services, and if not, where
do they hurt: connections, cache, locks, replication or slow queries?"""

from dashboards._mpac import (
    LOKI, PROMETHEUS, SERVICE, mpac_dashboard, multi_variable, service_health_button, service_health_data_link,
    standard_variables,
)
from dashgen.panels import (
    LokiQuery, PromQuery, bar_gauge, latency_panel, logs, rate_sum, row, stat, steps, timeseries,
)

# Database servers are told apart by `server` (e.g. "pg-main-1"), not `instance`: the exporters'
# `instance` is their scrape address, which no log line carries, while scrape relabeling sets
# `server` on the exporter metrics and the log shipper sets the same label on the servers' log
# streams, so one variable selects a server's metrics and its logs alike (see catalogue/databases.yaml).
PG = 'env="$env", server=~"$pg_server"'
REDIS = 'env="$env", server=~"$redis_server"'
SLOW_QUERY_LINES = '{env="$env", job="postgresql", server=~"$pg_server"} |= "duration:"'
CLIENT_HISTOGRAM = "db_client_operation_duration_seconds"


def client(db_system: str) -> str:
    """The services' database clients of `db_system` (postgresql, redis)."""
    return f'{SERVICE}, db_system="{db_system}"'


PG_OPERATION_BUCKETS = rate_sum(f"{CLIENT_HISTOGRAM}_bucket", client("postgresql"), by="service, db_operation, le")


def hit_ratio(hits: str, misses: str, selector: str) -> str:
    """Share of lookups per server that hit; servers without lookups are left out, not divided by 0."""
    hit, miss = rate_sum(hits, selector, by="server"), rate_sum(misses, selector, by="server")
    return f"{hit}\n/\n(\n  {hit}\n  + {miss}\n  > 0\n)"


def share_of_limit(title: str, description: str, expr: str, legend: str, *, warn: float, crit: float,
                   links: list | None = None) -> object:
    """A usage as a share of its limit over time, orange from `warn` and red from `crit`."""
    return timeseries(
        title, description, [PromQuery(expr, legend=legend)], datasource=PROMETHEUS, unit="percentunit",
        min=0, thresholds=steps("green", (warn, "orange"), (crit, "red")), links=links,
    )


def cache_hit_ratio(title: str, description: str, expr: str, *, warn: float, crit: float) -> object:
    """A hit ratio per server, red below `crit` and orange below `warn`."""
    return timeseries(
        title, description, [PromQuery(expr, legend="{{server}}")], datasource=PROMETHEUS, unit="percentunit",
        thresholds=steps("red", (crit, "orange"), (warn, "green")), w=8,
    )


def client_p95(title: str, description: str, db_system: str, *, w: int = 12) -> object:
    """p95 of the services' own timing of their calls to `db_system`, per service."""
    return latency_panel(
        title, description, histogram=CLIENT_HISTOGRAM, selector=client(db_system),
        by="service", datasource=PROMETHEUS, quantiles=(0.95,), w=w, links=[service_health_data_link()],
    )


def per_server(title: str, description: str, expr: str, *, unit: str, thresholds: list | None = None,
               w: int = 12) -> object:
    """A value per database server over time (`expr` keeps the `server` label)."""
    return timeseries(
        title, description, [PromQuery(expr, legend="{{server}}")], datasource=PROMETHEUS, unit=unit, min=0,
        thresholds=thresholds, w=w,
    )


pg_connections = row(
    "PostgreSQL: connections",
    stat(
        "PostgreSQL reachable", "Whether postgres_exporter reached each PostgreSQL server on its last scrape.",
        [PromQuery(f"pg_up{{{PG}}}", legend="{{server}}", instant=True)], datasource=PROMETHEUS,
        unit="bool_yes_no", thresholds=steps("red", (1, "green")), w=24, h=3,
    ),
    share_of_limit(
        "Connections used of max", "Client backends connected to each server as a share of its max_connections.",
        f"sum by (server) (pg_stat_database_numbackends{{{PG}}})\n/\n"
        f"max by (server) (pg_settings_max_connections{{{PG}}})",
        "{{server}}", warn=0.8, crit=0.9,
    ),
    share_of_limit(
        "Connection pool utilisation",
        "Used connections of the fullest task's pool, per service and pool; at 100% queries queue.",
        f'max by (service, pool) (\n  db_client_connections{{{SERVICE}, state="used"}}\n'
        f"  / ignoring (state)\n  db_client_connections_max{{{SERVICE}}}\n)",
        "{{service}} {{pool}}", warn=0.8, crit=0.9, links=[service_health_data_link()],
    ),
)

pg_throughput = row(
    "PostgreSQL: throughput and latency",
    timeseries(
        "Transactions per second", "Commits and rollbacks per second per server; rising rollbacks mean failing work.",
        [
            PromQuery(rate_sum("pg_stat_database_xact_commit", PG, by="server"), legend="commit {{server}}"),
            PromQuery(rate_sum("pg_stat_database_xact_rollback", PG, by="server"), legend="rollback {{server}}"),
        ],
        datasource=PROMETHEUS, unit="ops", min=0, w=8,
    ),
    cache_hit_ratio(
        "Buffer cache hit ratio", "Share of block reads served from shared buffers; below 99% queries go to disk.",
        hit_ratio("pg_stat_database_blks_hit", "pg_stat_database_blks_read", PG), warn=0.99, crit=0.95,
    ),
    client_p95(
        "Query latency p95", "95th percentile of PostgreSQL calls as timed by each service's client.",
        "postgresql", w=8,
    ),
    bar_gauge(
        "Slowest queries by operation (top 5)", "The five service and operation pairs with the highest p95 right now.",
        [PromQuery(
            f"topk(5,\n  histogram_quantile(0.95, {PG_OPERATION_BUCKETS})\n)",
            legend="{{service}} {{db_operation}}", instant=True,
        )],
        datasource=PROMETHEUS, unit="s", w=24, h=6, links=[service_health_data_link()],
    ),
)

pg_locks = row(
    "PostgreSQL: locks and replication",
    per_server(
        "Deadlocks per minute", "Deadlocks PostgreSQL detected and broke by aborting a transaction.",
        rate_sum("pg_stat_database_deadlocks", PG, by="server", per="minute"), unit="cpm",
        thresholds=steps("green", (1, "red")),
    ),
    per_server(
        "Waiting locks", "Lock requests not yet granted; a lasting queue means a transaction is blocking others.",
        f"sum by (server) (pg_locks_waiting_count{{{PG}}})", unit="short",
        thresholds=steps("green", (5, "orange"), (20, "red")),
    ),
    timeseries(
        "Locks by mode", "All locks held or awaited across the selected servers, by mode.",
        [PromQuery(f"sum by (mode) (pg_locks_count{{{PG}}})", legend="{{mode}}")],
        datasource=PROMETHEUS, unit="short", min=0, stacked=True,
    ),
    per_server(
        "Replication lag", "How far each replica's replay is behind its primary; reads from it are that stale.",
        f"max by (server) (pg_replication_lag_seconds{{{PG}}})", unit="s",
        thresholds=steps("green", (10, "orange"), (30, "red")),
    ),
)

slow_queries = row(
    "Slow queries",
    logs(
        "Slow query log", "The newest statements PostgreSQL logged as slow, with their duration.",
        [LokiQuery(SLOW_QUERY_LINES, max_lines=500)], datasource=LOKI,
    ),
)

redis = row(
    "Redis",
    cache_hit_ratio(
        "Redis hit ratio", "Share of key lookups that found the key; a drop sends the load on to PostgreSQL.",
        hit_ratio("redis_keyspace_hits_total", "redis_keyspace_misses_total", REDIS), warn=0.9, crit=0.8,
    ),
    timeseries(
        "Redis memory used of max",
        "used_memory as a share of maxmemory; near 100% Redis evicts keys or refuses writes.",
        [PromQuery(
            f"redis_memory_used_bytes{{{REDIS}}}\n/\n(redis_memory_max_bytes{{{REDIS}}} > 0)", legend="{{server}}",
        )],
        datasource=PROMETHEUS, unit="percentunit", min=0, thresholds=steps("green", (0.8, "orange"), (0.9, "red")), w=8,
    ),
    per_server(
        "Redis evictions", "Keys evicted per second because memory reached maxmemory.",
        rate_sum("redis_evicted_keys_total", REDIS, by="server"), unit="cps", w=8,
    ),
    bar_gauge(
        "Slowest commands (top 5)", "Average server-side execution time of the five slowest Redis commands, now.",
        [PromQuery(
            f"topk(5,\n  {rate_sum('redis_commands_duration_seconds_total', REDIS, by='cmd')}\n"
            f"  /\n  ({rate_sum('redis_commands_total', REDIS, by='cmd')} > 0)\n)",
            legend="{{cmd}}", instant=True,
        )],
        datasource=PROMETHEUS, unit="s",
    ),
    client_p95(
        "Redis command latency p95",
        "95th percentile of Redis calls as timed by each service's client, network included.", "redis",
    ),
)

dashboard = mpac_dashboard(
    "Database performance", "database-performance",
    "PostgreSQL and Redis: connections, throughput, cache, locks, replication and slow queries,"
    " and the services' view of them.",
    [
        *standard_variables("db_client_connections"),
        multi_variable("pg_server", "PostgreSQL server", "pg_up", "One or more PostgreSQL servers.", of="server"),
        multi_variable("redis_server", "Redis server", "redis_memory_used_bytes", "One or more Redis servers.", of="server"),
    ],
    [pg_connections, pg_throughput, pg_locks, slow_queries, redis],
    links=[service_health_button()],
)
