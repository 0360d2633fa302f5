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
    from dashgen.build import build as run_build
    from dashgen.output import MANIFEST, output_folder, recover, stale_files, write_tree

    project = project_of(obj)
    target = output_folder(out or project.generated_dir)
    if not check:
        recover(target)
    shown = project.relative(target) + "/"
    result = run_build(project, debug=obj["debug"])
    if check:
        # The manifest follows the files it lists: named only when it alone is out of date.
        found = stale_files(result.files, target)
        stale = [rel for rel in found if rel != MANIFEST] or found
        for rel in stale:
            click.echo(f"stale: {shown}{rel}")
        if stale:
            click.echo(f"{shown} is out of date ({_count(stale, 'file')} differ{'s' if len(stale) == 1 else ''}); run `dashgen build`")
            raise click.exceptions.Exit(1)
        click.echo(f"{shown} is up to date ({len(result.files)} files)")
        return
    stale = [rel for rel in write_tree(result.files, target, project.root) if rel != MANIFEST]
    removed = sum(1 for rel in stale if rel not in result.files)
    click.echo(
        f"built {_count(result.dashboards, 'dashboard')} in {_count({d.folder for d in result.dashboards}, 'folder')}"
        f" into {shown}: {len(stale) - removed} of {len(result.files)} files changed, {removed} removed"
    )


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
