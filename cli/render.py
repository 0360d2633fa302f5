"""`dashgen render`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dashgen.cli.context import project_of


@click.command()
@click.argument("uid")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the SVG here (default: stdout).")
@click.pass_obj
def render(obj, uid, out):
    """Draw a dashboard's layout to scale as an SVG picture: the 24-column grid, every panel with
    its title, type and size (w×h), expanded rows as bars and collapsed rows marked with how many
    panels they hide. The definitions are built first, as `dashgen build` builds them.

    \b
    Examples:
      dashgen render service-health --out service-health.svg
      dashgen render device-fleet | rsvg-convert -o device-fleet.png
    """
    from dashgen.build import build
    from dashgen.errors import InputError
    from dashgen.layout_svg import layout_svg

    dashboards = {d.uid: d for d in build(project_of(obj), debug=obj["debug"]).dashboards}
    if uid not in dashboards:
        known = ", ".join(sorted(dashboards)) or "(none)"
        raise InputError(None, f"no dashboard with uid {uid!r}; the uids are {known}")
    svg = layout_svg(dashboards[uid].model)
    if out is None:
        click.echo(svg, nl=False)
        return
    partial = out.with_name(f".{out.name}.part")
    try:  # written whole or not at all: a half picture is never left behind
        partial.write_text(svg, encoding="utf-8")
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(None, f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"drew {uid} into {out}")
