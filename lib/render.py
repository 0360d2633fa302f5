"""`dashgen render`: the picture of one dashboard of the project's build."""

from __future__ import annotations

from dashgen.build import build
from dashgen.errors import InputError
from dashgen.layout_svg import layout_svg
from dashgen.project import Project


def drawn(project: Project, uid: str, debug: bool = False) -> str:
    """The SVG of the dashboard with this uid, as `dashgen build` builds it."""
    dashboards = {d.uid: d for d in build(project, debug=debug).dashboards}
    if uid not in dashboards:
        known = ", ".join(sorted(dashboards)) or "(none)"
        raise InputError(None, f"no dashboard with uid {uid!r}; the uids are {known}")
    return layout_svg(dashboards[uid].model)
