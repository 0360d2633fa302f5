"""`dashgen catalogue`."""

from __future__ import annotations

import click


@click.group()
def catalogue():
    """Keep the metric catalogue true to what Prometheus holds.

    \b
    Examples:
      dashgen catalogue sync --prometheus http://localhost:9090
      dashgen catalogue sync --env staging --check
    """


@catalogue.command()
@click.option("--prometheus", "prometheus_url", metavar="URL", help="The Prometheus to measure.")
@click.option("--env", "env_name", metavar="NAME", help="Measure this environment's prometheus_url.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a label count is off by more than the tolerance.")
@click.option("--tolerance", type=click.FloatRange(1.0, min_open=True), default=None,
              help="With --check: how many times too high or too low a count may be (default 2).")
@click.option("--query-timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True, metavar="SECONDS",
              help="How long one query may take.")
@click.pass_obj
def sync(obj, prometheus_url, env_name, check, tolerance, query_timeout):
    """Measure, on a real Prometheus, how many distinct values each label has on the metrics the
    dashboards and rules read (count(count by (label) (m)); a catalogued 1 stays while the label
    follows from another and multiplies no series), and each metric's type from Prometheus'
    metadata, and write them into the catalogue's files: only those numbers and words change,
    every comment and other field stays; a count Prometheus did not answer is not written. Exit 0
    done, 1 (--check) a count off by more than --tolerance, 2 bad input, 3 Prometheus unreachable.

    \b
    Examples:
      dashgen catalogue sync --prometheus http://localhost:9090
      dashgen catalogue sync --env staging --check      # in CI
    """
    from dashgen.build import build
    from dashgen.catalogue_sync import sync as run_sync, used_metrics
    from dashgen.cli.context import project_of
    from dashgen.cli.lint import prometheus_of
    from dashgen.errors import InputError
    from dashgen.prometheus import Prometheus

    if tolerance is not None and not check:
        raise click.UsageError("--tolerance says how far off a count may be for --check; add --check")
    tolerance = 2.0 if tolerance is None else tolerance
    project = project_of(obj)
    url = prometheus_of(project, prometheus_url, env_name)
    if url is None:
        raise click.UsageError("give --prometheus URL or --env NAME")
    built = build(project, debug=obj["debug"])
    if built.catalogue is None:
        raise InputError(None, f"this project has no catalogue ({project.relative(project.catalogue_dir)}/)")
    used = used_metrics(built, project.relative(project.generated_dir))
    shown = project.relative(project.catalogue_dir)
    done = run_sync(project.catalogue_dir, shown, built.catalogue, used, Prometheus(url, query_timeout), check, tolerance)
    for change in done.changes:
        click.echo(change.line)
    for failure in done.failed:
        click.echo(f"not answered: {failure}")
    if done.unmeasured:
        click.echo(f"not measured (no metric the dashboards read carries them in Prometheus now): "
                   f"{', '.join(done.unmeasured)}")
    if check:
        for change in done.off:
            click.echo(f"off: {change.file}: {change.what} is {change.old} in the catalogue, {change.new} in Prometheus"
                       f" (more than {tolerance:g}x)")
        click.echo(f"{len(done.off)} label count{'' if len(done.off) == 1 else 's'} off by more than {tolerance:g}x;"
                   f" {len(done.changes)} difference{'' if len(done.changes) == 1 else 's'} in all (nothing written)")
    else:
        files = len(done.written)
        click.echo(f"{len(done.changes)} change{'' if len(done.changes) == 1 else 's'} written to {files} file"
                   f"{'' if files == 1 else 's'} of {shown}/" if done.changes else f"{shown}/ already matches Prometheus")
    raise click.exceptions.Exit(done.exit_code)
