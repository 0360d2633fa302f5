"""`dashgen diff`."""

from __future__ import annotations

import click

from dashgen.cli.context import project_of


@click.command()
@click.option("--env", "env_name", required=True, metavar="NAME", help="Compare the build with this environment's Grafana.")
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.pass_obj
def diff(obj, env_name, output):
    """Show what a push would change, panel by panel: panels added, removed and changed, with
    their queries diffed as text. Sends no write request. Exit 0 same, 1 differs.

    \b
    Examples:
      dashgen diff --env staging
      dashgen diff --env production --format markdown > pr-comment.md
    """
    from dashgen.push import diff_report
    from dashgen.push.run import plan_for

    _, _, plan = plan_for(project_of(obj), env_name, debug=obj["debug"])
    if output == "json":
        click.echo(diff_report.as_json(plan), nl=False)
    else:
        click.echo(diff_report.text(plan, markdown=output == "markdown"), nl=False)
    raise click.exceptions.Exit(1 if diff_report.entries(plan) else 0)
