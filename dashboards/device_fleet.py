"""Device fleet: are the SmartPOS terminals online, up to date, healthy and in sync, and what is one
given terminal doing?"""

from dashboards._mpac import (
    FLEET_SERVICE, LOKI, PROMETHEUS, env_variable, mpac_dashboard, multi_variable, prometheus_variable,
    service_health_button,
)
from dashgen.panels import (
    LokiQuery, PromQuery, bar_gauge, dashboard_link, deduplicated, gauge_sum, latency_panel, logs, rate_sum, row,
    scraped_bucket, stat, steps, textbox_variable, timeseries, top_n,
)

FLEET = 'env="$env", region=~"$region", device_model=~"$device_model"'
DEVICE = 'env="$env", device_id="$device"'  # one device, by equality: never grouped by device
HEARTBEAT = "device_heartbeat_age_seconds"  # a scraped gauge histogram: _bucket and _gcount count devices now
REGISTERED = "device_fleet_devices"
# The device's own log lines, by its id in the JSON line: with no device entered this matches only
# lines whose device_id is empty, not every line of the fleet.
DEVICE_LINES = (
    '{env="$env", app="smartpos-device"} |~ `"device_id":\\s*"${device:regex}"` | json | device_id="$device"'
)


def devices_by(label: str, top: int = 0) -> str:
    count = gauge_sum(REGISTERED, FLEET, by=label)
    return f"topk({top}, {count})" if top else count


def heartbeat_within(seconds: float) -> str:
    """Devices whose last heartbeat is at most `seconds` old: one cumulative bucket (its bound as
    the exporter writes it, see scraped_bucket)."""
    return gauge_sum(f"{HEARTBEAT}_bucket", f"{FLEET}, {scraped_bucket(seconds)}")


def per_thousand_device_hours(counter: str) -> str:
    return f"{rate_sum(counter, FLEET)} * 3600 * 1000\n/\n{gauge_sum(REGISTERED, FLEET)}"


online = row(
    "Is the fleet online?",
    stat(
        "Online now", "Devices whose last heartbeat is under 5 minutes old, now and over the range.",
        [PromQuery(heartbeat_within(300), legend="online")],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, w=8,
    ),
    stat(
        "Offline over 15 minutes", "Devices with no heartbeat for more than 15 minutes, now and over the range.",
        [PromQuery(f"{gauge_sum(f'{HEARTBEAT}_gcount', FLEET)} - {heartbeat_within(900)}", legend="offline")],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, thresholds=steps("green", (50, "orange"), (500, "red")),
        w=8,
    ),
    stat(
        "Registered devices", "Devices registered to merchants and not retired.",
        [PromQuery(gauge_sum(REGISTERED, FLEET), legend="devices", instant=True)], datasource=PROMETHEUS,
        unit="short", decimals=0, w=8,
    ),
    bar_gauge(
        "Heartbeat age distribution", "How many devices last sent a heartbeat within each age band.",
        [PromQuery(gauge_sum(f"{HEARTBEAT}_bucket", FLEET, by="le"), legend="{{le}}", instant=True, format="heatmap")],
        datasource=PROMETHEUS, unit="short", w=24, h=7,
    ),
)

composition = row(
    "What the fleet is made of",
    bar_gauge("Devices by model", "Registered devices per hardware model.",
              [PromQuery(devices_by("device_model"), legend="{{device_model}}", instant=True)],
              datasource=PROMETHEUS, unit="short", w=6),
    bar_gauge("Top 10 firmware versions", "The ten firmware versions on the most devices.",
              [PromQuery(devices_by("firmware_version", top=10), legend="{{firmware_version}}", instant=True)],
              datasource=PROMETHEUS, unit="short", w=6),
    bar_gauge("Top 10 app versions", "The ten POS app versions on the most devices.",
              [PromQuery(devices_by("app_version", top=10), legend="{{app_version}}", instant=True)],
              datasource=PROMETHEUS, unit="short", w=6),
    bar_gauge("Devices by region", "Registered devices per region.",
              [PromQuery(devices_by("region"), legend="{{region}}", instant=True)],
              datasource=PROMETHEUS, unit="short", w=6),
)

stability = row(
    "Is the app stable?",
    timeseries(
        "Crashes and ANRs per 1,000 device-hours", "App crashes and not-responding events, normalised by fleet size.",
        [PromQuery(per_thousand_device_hours("device_app_crashes_total"), legend="crashes"),
         PromQuery(per_thousand_device_hours("device_app_anrs_total"), legend="ANRs")],
        datasource=PROMETHEUS, unit="short", min=0, thresholds=steps("green", (5, "orange"), (20, "red")),
    ),
    top_n(
        "Top 10 error codes (range)", "The ten error codes devices reported most over the range.",
        n=10, by="error_code", counter="device_errors_total", selector=FLEET, datasource=PROMETHEUS,
    ),
)

connectivity = row(
    "Connectivity, battery and sync",
    timeseries(
        "Connectivity", "Devices by the network they last connected through (Wi-Fi, cellular/4G, Ethernet).",
        [PromQuery(gauge_sum("device_connected_devices", FLEET, by="network"), legend="{{network}}")],
        datasource=PROMETHEUS, unit="short", stacked=True, min=0, w=8,
    ),
    bar_gauge(
        "Battery health", "Devices by the battery health they report; 'replace' needs a field visit.",
        [PromQuery(gauge_sum("device_battery_devices", FLEET, by="battery_health"), legend="{{battery_health}}",
                   instant=True)],
        datasource=PROMETHEUS, unit="short", w=8,
    ),
    latency_panel(
        "Sync lag with the cloud", "p50, p95 and p99 delay before devices apply a change made in the cloud, per region.",
        histogram="device_sync_lag_seconds", selector=FLEET, by="region", datasource=PROMETHEUS, slo_seconds=60, w=8,
    ),
)

one_device = row(
    "One device: $device",
    stat(
        "Last heartbeat", "Time since the device's last heartbeat; over 15 minutes it counts as offline.",
        [PromQuery(f"time() - {deduplicated('device_last_heartbeat_timestamp_seconds', DEVICE)}", legend="age",
                   instant=True)],
        datasource=PROMETHEUS, unit="s", thresholds=steps("green", (300, "orange"), (900, "red")), w=4, h=8,
    ),
    stat(
        "Battery", "The device's battery charge.",
        [PromQuery(deduplicated("device_battery_level_ratio", DEVICE), legend="battery", instant=True)],
        datasource=PROMETHEUS, unit="percentunit", thresholds=steps("red", (0.2, "orange"), (0.5, "green")), w=4, h=8,
    ),
    timeseries(
        "Battery over time", "The device's battery charge over the range.",
        [PromQuery(deduplicated("device_battery_level_ratio", DEVICE), legend="battery")], datasource=PROMETHEUS,
        unit="percentunit", min=0, max=1, w=16,
    ),
    logs(
        "Device logs", "The device's newest log lines (found by its id in the JSON line, not by a stream label).",
        [LokiQuery(DEVICE_LINES)], datasource=LOKI,
    ),
    collapsed=True,
)

dashboard = mpac_dashboard(
    "Device fleet", "device-fleet",
    "SmartPOS terminals: online and offline devices, versions, stability, connectivity, battery, sync, and one device.",
    [
        prometheus_variable(),
        env_variable(REGISTERED),
        multi_variable("region", "Region", REGISTERED, "Regions the devices are in."),
        multi_variable("device_model", "Model", REGISTERED, "Hardware models."),
        textbox_variable("device", "Device ID", "One device's id, for the drill-down row at the bottom."),
    ],
    [online, composition, stability, connectivity, one_device],
    links=[
        service_health_button(FLEET_SERVICE),
        dashboard_link("Payment processing", "payment-processing", "The payments these terminals make", {"env": "${env}"}),
    ],
)
