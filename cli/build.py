"""`dashgen build`."""

from __future__ import annotations

from pathlib import Path

import click

from dashgen.cli.context import project_of


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and name the files that differ from the build.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path),
    help="Folder to build into (default: generated/ in the project).",
)
@click.pass_obj
def build(obj, check, out):
    """Compile the definitions into Grafana provisioning files under generated/.

    Each dashboard becomes generated/dashboards/<folder>/<uid>.json, with the provider file under
    generated/provisioning/. The output is written only when every definition compiled and
    validated, and two builds of the same sources are byte-identical.

    \b
    Examples:
      dashgen build                  # refresh generated/
      dashgen build --check          # in CI: fail when generated/ is stale
      dashgen build --out /tmp/out   # build somewhere else
    """
    from dashgen.build import build_into

    project = project_of(obj)
    done = build_into(project, out, check=check, debug=obj["debug"])
    shown = project.relative(done.folder) + "/"
    files, dashboards = len(done.build.files), done.build.dashboards
    if check:
        for rel in done.changed:
            click.echo(f"stale: {shown}{rel}")
        if done.changed:
            click.echo(f"{shown} is out of date ({_count(done.changed, 'file')} differ"
                       f"{'s' if len(done.changed) == 1 else ''}); run `dashgen build`")
        else:
            click.echo(f"{shown} is up to date ({files} files)")
    else:
        click.echo(f"built {_count(dashboards, 'dashboard')} in {_count({d.folder for d in dashboards}, 'folder')}"
                   f" into {shown}: {len(done.changed) - done.removed} of {files} files changed, {done.removed} removed")
    raise click.exceptions.Exit(done.exit_code)


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
