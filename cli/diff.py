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
    from dashgen.environments import environment
    from dashgen.push import diff_report
    from dashgen.push.desired import desired_state
    from dashgen.push.plan import make_plan
    from dashgen.grafana import GrafanaError
    from dashgen.push.target import connect, explained

    project = project_of(obj)
    env = environment(project, env_name)
    desired = desired_state(project, env, debug=obj["debug"])
    try:
        plan = make_plan(connect(env), desired)
    except GrafanaError as exc:
        raise explained(exc, env) from None
    if output == "json":
        click.echo(diff_report.as_json(plan), nl=False)
    else:
        click.echo(diff_report.text(plan, markdown=output == "markdown"), nl=False)
    raise click.exceptions.Exit(1 if diff_report.entries(plan) else 0)
