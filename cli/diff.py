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
    project = project_of(obj)
    if env_name is not None:
        from dashgen.push.run import plan_for

        _, _, plan = plan_for(project, env_name, debug=obj["debug"])
        entries, against = diff_report.from_plan(plan), {"grafana": plan.grafana_url}
        heading, same = f"changes to {plan.grafana_url}", f"{plan.grafana_url} matches the build"
    else:
        from dashgen.build import build
        from dashgen.git_ref import generated_at

        ref = "HEAD" if ref is None else ref
        old = generated_at(project, ref)
        entries, against = diff_report.between(old, build(project, debug=obj["debug"]).files, ref), {"git": ref}
        heading = f"changes since {ref}" if old else f"changes since {ref}, which holds no generated/ (all is new)"
        same = f"the build matches {ref}"
    if output == "json":
        click.echo(diff_report.as_json(entries, against), nl=False)
    else:
        click.echo(diff_report.text(entries, heading, same, markdown=output == "markdown"), nl=False)
    raise click.exceptions.Exit(1 if entries else 0)
