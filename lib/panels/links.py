"""Links between dashboards: the dashboard's link bar, and data links from a series to another
dashboard that carry the series' labels as variables."""

from __future__ import annotations

from grafanalib import core as g


def dashboards_menu(title: str, tag: str) -> g.DashboardLink:
    """A drop-down in the link bar listing every dashboard with `tag`, keeping time and variables."""
    return g.DashboardLink(
        title=title, type="dashboards", tags=[tag], asDropdown=True, includeVars=True, keepTime=True,
        tooltip=f"Every dashboard tagged {tag}",
    )


def dashboard_link(
    title: str, uid: str, tooltip: str, variables: dict[str, str] | None = None, keep: tuple[str, ...] = (),
) -> g.DashboardLink:
    """A link-bar button to the dashboard `uid`, keeping the time range, setting `variables` to the
    given values and passing the variables named in `keep` on as selected (every value of a
    multi-value one)."""
    query = "&".join(
        [f"var-{name}={value}" for name, value in (variables or {}).items()]
        + [f"${{{name}:queryparam}}" for name in keep]
    )
    return g.DashboardLink(
        title=title, type="link", uri=f"/d/{uid}" + (f"?{query}" if query else ""), icon="dashboard",
        keepTime=True, tooltip=tooltip,
    )


def series_link(title: str, uid: str, variables: dict[str, str]) -> dict:
    """A data link from a series to dashboard `uid`; values may use ${__field.labels.<label>}."""
    query = "&".join(f"var-{name}={value}" for name, value in variables.items())
    return {"title": title, "url": f"/d/{uid}?{query}&${{__url_time_range}}"}
