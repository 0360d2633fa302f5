"""Device fleet: are the SmartPOS terminals online, up to date, healthy and in sync, and what is one
given terminal doing?"""

from dashboards._mpac import LOKI, PROMETHEUS, env_variable, mpac_dashboard, multi_variable, prometheus_variable
from dashgen.panels import (
    LokiQuery, PromQuery, bar_gauge, latency_panel, logs, row, stat, steps,
    textbox_variable, timeseries, top_n,
)

folder = "MPAC"

FLEET = 'env="$env", region=~"$region", device_model=~"$device_model"'
DEVICE = 'env="$env", device_id="$device"'  # one device, by equality: never grouped by device
HEARTBEAT = "device_heartbeat_age_seconds"
DEVICES = f"sum(device_fleet_devices{{{FLEET}}})"


def devices_by(label: str, top: int = 0) -> str:
    count = f"sum by ({label}) (device_fleet_devices{{{FLEET}}})"
    return f"topk({top}, {count})" if top else count


def per_thousand_device_hours(counter: str) -> str:
    return f"sum(rate({counter}{{{FLEET}}}[$__rate_interval])) * 3600 * 1000\n/\n{DEVICES}"


online = row(
    "Is the fleet online?",
    stat(
        "Online now", "Devices whose last heartbeat is under 5 minutes old.",
        [PromQuery(f'sum({HEARTBEAT}_bucket{{{FLEET}, le="300"}})', legend="online", instant=True)],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, w=8,
    ),
    stat(
        "Offline over 15 minutes", "Devices with no heartbeat for more than 15 minutes.",
        [PromQuery(f'sum({HEARTBEAT}_count{{{FLEET}}}) - sum({HEARTBEAT}_bucket{{{FLEET}, le="900"}})',
                   legend="offline", instant=True)],
        datasource=PROMETHEUS, unit="short", decimals=0, graph=True, thresholds=steps("green", (50, "orange"), (500, "red")),
        w=8,
    ),
    stat(
        "Registered devices", "Devices registered to merchants and not retired.",
        [PromQuery(DEVICES, legend="devices", instant=True)], datasource=PROMETHEUS, unit="short", decimals=0, w=8,
    ),
    bar_gauge(
        "Heartbeat age distribution", "How many devices last sent a heartbeat within each age band.",
        [PromQuery(f"sum by (le) ({HEARTBEAT}_bucket{{{FLEET}}})", legend="{{le}}", instant=True, format="heatmap")],
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
        "Connectivity", "Devices by the network they last connected through (Wi-Fi, 4G, Ethernet).",
        [PromQuery(f"sum by (network) (device_connected_devices{{{FLEET}}})", legend="{{network}}")],
        datasource=PROMETHEUS, unit="short", stacked=True, min=0, w=8,
    ),
    bar_gauge(
        "Battery health", "Devices by the battery health they report; 'replace' needs a field visit.",
        [PromQuery(f"sum by (battery_health) (device_battery_devices{{{FLEET}}})", legend="{{battery_health}}",
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
        [PromQuery(f"time() - device_last_heartbeat_timestamp_seconds{{{DEVICE}}}", legend="age", instant=True)],
        datasource=PROMETHEUS, unit="s", thresholds=steps("green", (300, "orange"), (900, "red")), w=8,
    ),
    stat(
        "Battery", "The device's battery charge.",
        [PromQuery(f"device_battery_level_ratio{{{DEVICE}}}", legend="battery", instant=True)],
        datasource=PROMETHEUS, unit="percentunit", thresholds=steps("red", (0.2, "orange"), (0.5, "green")), w=8,
    ),
    timeseries(
        "Battery over time", "The device's battery charge over the range.",
        [PromQuery(f"device_battery_level_ratio{{{DEVICE}}}", legend="battery")], datasource=PROMETHEUS,
        unit="percentunit", min=0, max=1, w=8,
    ),
    logs(
        "Device logs", "The device's newest log lines (filtered by its id in the line, not by a stream label).",
        [LokiQuery('{env="$env", app="smartpos-device"} |= "$device" | json | device_id="$device"')],
        datasource=LOKI,
    ),
    collapsed=True,
)

dashboard = mpac_dashboard(
    "Device fleet", "device-fleet",
    "SmartPOS terminals: online and offline devices, versions, stability, connectivity, battery, sync, and one device.",
    [
        prometheus_variable(),
        env_variable("device_fleet_devices"),
        multi_variable("region", "Region", "device_fleet_devices", "Regions the devices are in."),
        multi_variable("device_model", "Model", "device_fleet_devices", "Hardware models."),
        textbox_variable("device", "Device ID", "One device's id, for the drill-down row at the bottom."),
    ],
    [online, composition, stability, connectivity, one_device],
)
