"""`dashgen lint`."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ("text", "json", "github")


def _rule_ids(ctx, param, incomplete):
    """Shell completion of --explain: the rule ids."""
    from dashgen.lint.rules import BY_ID

    return [rule for rule in BY_ID if rule.startswith(incomplete)]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for machines, github for workflow annotations.")
@click.option("--explain", metavar="RULE", shell_complete=_rule_ids,
              help="Print what RULE flags, why, and examples; then exit.")
@click.option("--list-rules", is_flag=True,
              help="List every rule: category, default severity, whether this project enables it; then exit.")
@click.option("--statistics", is_flag=True,
              help="Count the findings per rule, most first, instead of listing them (json: a \"statistics\" key).")
@click.option("--catalogue", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Metric catalogue for JSON files given as PATHS (default: none; the project's for its own).")
@click.option("--show-suppressed", is_flag=True, help="Also print problems that a suppression covers, with its reason.")
@click.option("--prometheus", "prometheus_url", metavar="URL",
              help="Also run every PromQL panel query on this Prometheus: empty panels and why, measured series.")
@click.option("--env", "env_name", metavar="NAME", help="Run the queries on this environment's prometheus_url.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="With --prometheus: select this value of a dashboard variable (repeatable; a,b for several).")
@click.option("--query-timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True, metavar="SECONDS",
              help="With --prometheus: how long one query may take.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True,
              help="With --prometheus: how many queries run at once.")
@click.pass_obj
def lint(obj, paths, output, explain, list_rules, statistics, catalogue, show_suppressed, prometheus_url, env_name,
         variables, query_timeout, concurrency):
    """Check every query (PromQL, LogQL, TraceQL) and panel for cardinality and correctness.

    Without PATHS, lints this project's dashboards as compiled, and reports the suppressions of
    [tool.dashgen.lint] that match no finding (a warning); with PATHS, any Grafana dashboard
    JSON files or folders (exports included). Exit 0 without errors, 1 with errors, 2 when an
    input or the configuration cannot be read (the other files are still linted), 3 when the
    Prometheus of --prometheus or --env cannot be reached (the static findings are still printed).

    With --prometheus URL (or --env NAME and its prometheus_url), every PromQL panel query also
    runs on that server, its variables bound as Grafana binds them: panels that would show no data
    are reported with the reason (promql/no-data), and the series each query returned
    (measured_series in --format json) judge promql/series-budget.

    \b
    Examples:
      dashgen lint                            # this project's dashboards
      dashgen lint --statistics               # how many findings of each rule
      dashgen lint exports/ --format json     # any dashboards, for a script
      dashgen lint --list-rules               # the rules, and which this project enables
      dashgen lint --explain promql/series-budget
      dashgen lint --prometheus http://localhost:9090 --var env=staging
    """
    from dashgen.cli.context import project_of
    from dashgen.lint import render
    from dashgen.lint.run import explain_rule, rule_listings, run

    if explain:
        click.echo(explain_rule(explain))
        return
    if list_rules:
        if output == "github":
            raise click.UsageError("--list-rules prints text or json, not workflow annotations")
        project = _optional_project(obj)
        rules = rule_listings(project)
        click.echo(render.rules_json(rules) if output == "json" else render.rules_table(rules, project is not None),
                   nl=False)
        return
    if statistics and output == "github":
        raise click.UsageError("--statistics works with --format text or json; annotations are one per finding")
    project = project_of(obj) if not paths else _optional_project(obj)
    live = _live(project, prometheus_url, env_name, variables, query_timeout, concurrency)
    report = run(project, list(paths), catalogue, debug=obj["debug"], live=live)
    if output == "json":
        click.echo(render.as_json(report, statistics), nl=False)
    elif output == "text":
        click.echo(render.text(report, show_suppressed, statistics), nl=False)
    else:
        click.echo(render.github(report, show_suppressed), nl=False)
    for line in report.bad_input:
        click.echo(f"error: {line}", err=True)
    if report.live_error is not None:
        click.echo(f"error: {report.live_error}; no query ran there (the static lint above is complete)", err=True)
    raise click.exceptions.Exit(report.exit_code)


def _live(project, url, env_name, variables, timeout_s, concurrency):
    """The live lint the options ask for, or None."""
    from dashgen.lint.run import Live

    url = prometheus_of(project, url, env_name)
    if not url:
        if variables:
            raise click.UsageError("--var binds variables for --prometheus or --env; give one of them")
        return None
    overrides = {}
    for pair in variables:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--var takes NAME=VALUE, not {pair!r}")
        overrides[name] = value
    return Live(url, overrides, timeout_s, concurrency)


def prometheus_of(project, url, env_name):
    """The Prometheus URL of --prometheus or of --env's prometheus_url, checked; None for neither."""
    from dashgen.environments import prometheus_url_of, prometheus_url_problem

    if url is not None and env_name:
        raise click.UsageError("give --prometheus or --env, not both")
    if env_name:
        if project is None:
            raise click.UsageError("--env needs a dashgen project (its [tool.dashgen.environments])")
        return prometheus_url_of(project, env_name)
    if url is None:
        return None
    problem = prometheus_url_problem(url, "--prometheus")
    if problem:
        raise click.UsageError(problem)
    return url


def _optional_project(obj):
    """Linting files still reads [tool.dashgen.lint] when run inside a project."""
    from dashgen.cli.context import project_of
    from dashgen.errors import InputError

    try:
        return project_of(obj)
    except InputError:
        return None
