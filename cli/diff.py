"""`dashgen diff`."""

from __future__ import annotations

from pathlib import Path

import click

from dashgen.cli.context import project_of


@click.command()
@click.option("--against", "ref", metavar="GIT_REF",
              help="Compare the build with the generated/ of this commit, branch or tag (default: HEAD).")
@click.option("--env", "env_name", metavar="NAME", help="Compare the build with this environment's Grafana instead.")
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--assets", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="With --format markdown: write before/after layout pictures (SVG) of each dashboard whose layout "
                   "changed into DIR, linked from the Markdown by that path.")
@click.pass_obj
def diff(obj, ref, env_name, output, assets):
    """Show what a change does, panel by panel: dashboards and panels added, removed and changed,
    with their queries diffed as text. Exit 0 same, 1 differs, 2 bad input.

    With --against (the default, against HEAD) the current definitions are built and compared with
    the dashboards a commit generated: what a pull request changes. With --env they are compared
    with a live Grafana: what a push would change (no write request is sent).

    \b
    Examples:
      dashgen diff --against origin/main --format markdown > pr-comment.md
      dashgen diff --env staging
    """
    from dashgen import diff_render, diff_report
    from dashgen.output import write_files

    if ref is not None and env_name is not None:
        raise click.UsageError("give --against or --env, not both")
    if assets is not None and output != "markdown":
        raise click.UsageError("--assets writes the pictures a Markdown comment links to: add --format markdown")
    done = diff_report.compare(project_of(obj), ref, env_name, debug=obj["debug"])
    if output == "json":
        click.echo(diff_render.as_json(done), nl=False)
    elif output == "markdown":
        comment, pictures = diff_render.markdown(done, None if assets is None else str(assets))
        if pictures:
            write_files(assets, pictures)
        click.echo(comment, nl=False)
    else:
        click.echo(diff_render.text(done), nl=False)
    raise click.exceptions.Exit(done.exit_code)
