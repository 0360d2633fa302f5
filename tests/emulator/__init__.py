"""An HTTP emulator of Grafana 12.3's classic API, for dashgen's push and diff tests. See README.md."""

from .options import ADMIN_TOKEN, DEFAULT_PERMISSIONS, EDITOR_TOKEN, VIEWER_TOKEN, Options
from .server import GrafanaEmulator, JournalEntry
from .state import Dashboard, DashboardVersion, Datasource, Folder, TickingClock

__all__ = [
    "ADMIN_TOKEN", "DEFAULT_PERMISSIONS", "EDITOR_TOKEN", "VIEWER_TOKEN", "Dashboard", "DashboardVersion",
    "Datasource", "Folder", "GrafanaEmulator", "JournalEntry", "Options", "TickingClock",
]
