"""`dashgen render`."""

from __future__ import annotations

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
    from dashgen.render import drawn
    from dashgen.output import write_files

    svg = drawn(project_of(obj), uid, debug=obj["debug"])
    if out is None:
        click.echo(svg, nl=False)
        return
    write_files(out.parent, {out.name: svg})  # whole or not at all: a half picture is never left behind
    click.echo(f"drew {uid} into {out}")
