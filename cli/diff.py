"""`dashgen diff`."""

from __future__ import annotations

import click

from dashgen.cli.context import project_of


@click.command()
@click.option("--against", "ref", metavar="GIT_REF",
              help="Compare the build with the generated/ of this commit, branch or tag (default: HEAD).")
@click.option("--env", "env_name", metavar="NAME", help="Compare the build with this environment's Grafana instead.")
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.pass_obj
def diff(obj, ref, env_name, output):
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
    from dashgen import diff_report

    if ref is not None and env_name is not None:
        raise click.UsageError("give --against or --env, not both")
    done = diff_report.compare(project_of(obj), ref, env_name, debug=obj["debug"])
    if output == "json":
        click.echo(diff_report.as_json(done.entries, done.against), nl=False)
    else:
        click.echo(diff_report.text(done.entries, done.heading, done.same, markdown=output == "markdown"), nl=False)
    raise click.exceptions.Exit(done.exit_code)
