"""`dashgen lint`."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ("text", "json", "github")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for machines, github for workflow annotations.")
@click.option("--explain", metavar="RULE", help="Print what RULE flags, why, and examples; then exit.")
@click.option("--catalogue", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Metric catalogue for JSON files given as PATHS (default: none; the project's for its own).")
@click.option("--show-suppressed", is_flag=True, help="Also print problems that a suppression covers, with its reason.")
@click.pass_obj
def lint(obj, paths, output, explain, catalogue, show_suppressed):
    """Check every query (PromQL, LogQL, TraceQL) and panel for cardinality and correctness.

    Without PATHS, lints this project's dashboards as compiled; with PATHS, any Grafana dashboard
    JSON files or folders (exports included). Exit 0 without errors, 1 with errors, 2 when an
    input or the configuration cannot be read (the other files are still linted).

    \b
    Examples:
      dashgen lint                            # this project's dashboards
      dashgen lint exports/ --format json     # any dashboards, for a script
      dashgen lint --explain promql/series-budget
    """
    from dashgen.cli.context import project_of
    from dashgen.lint import render
    from dashgen.lint.run import explain_rule, run

    if explain:
        click.echo(explain_rule(explain))
        return
    project = project_of(obj) if not paths else _optional_project(obj)
    report = run(project, list(paths), catalogue, debug=obj["debug"])
    if output == "json":
        click.echo(render.as_json(report), nl=False)
    else:
        click.echo((render.text if output == "text" else render.github)(report, show_suppressed), nl=False)
    for line in report.bad_input:
        click.echo(f"error: {line}", err=True)
    raise click.exceptions.Exit(report.exit_code)


def _optional_project(obj):
    """Linting files still reads [tool.dashgen.lint] when run inside a project."""
    from dashgen.cli.context import project_of
    from dashgen.errors import InputError

    try:
        return project_of(obj)
    except InputError:
        return None
