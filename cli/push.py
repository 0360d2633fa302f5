"""`dashgen push`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dashgen.cli.context import project_of


@click.command()
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment from [tool.dashgen.environments].")
@click.option("--dry-run", is_flag=True, help="Print the plan; send no write request.")
@click.option("--prune", is_flag=True, help="Delete dashgen's dashboards that are no longer defined.")
@click.option("--force", "force", multiple=True, is_flag=False, flag_value="*", metavar="[UID]",
              help="Overwrite what was edited in Grafana, after backing up the edit: everything, or with a "
                   "uid only that dashboard, folder or datasource (repeatable).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where --force saves the JSON it replaces (default: .dashgen/backups/<env> in the project).")
@click.pass_obj
def push(obj, env_name, dry_run, prune, force, output, backup_dir):
    """Make an environment's Grafana match the build: folders, datasources, then dashboards.

    Plans first; a dashboard someone changed in Grafana since dashgen pushed it is left alone and
    named with what the edit changed (exit 1) unless --force; only dashboards tagged "dashgen" are
    ever changed or deleted.
    The token comes from the environment's token_env variable and is never printed. Exit 0
    applied; 1 refused; 2 bad input; 3 Grafana unreachable, unauthorised or failing.

    \b
    Examples:
      dashgen push --env staging --dry-run      # what would change
      dashgen push --env staging                # apply
      dashgen push --env staging --prune        # also delete removed dashboards
      dashgen push --env staging --force service-health   # overwrite that one hand edit
    """
    from dashgen.push import report
    from dashgen.push.run import push as run_push

    text = output == "text"
    done = run_push(project_of(obj), env_name, dry_run=dry_run, prune=prune,
                    force=True if "*" in force else frozenset(force), backup_dir=backup_dir,
                    show_plan=lambda plan: click.echo(report.plan_text(plan), nl=False) if text else None,
                    progress=_progress, debug=obj["debug"])
    if done.outcomes is None:
        click.echo(report.plan_text(done.plan, dry_run) if text else report.as_json(done.plan, None, None), nl=False)
    else:
        click.echo(report.outcome_text(done.outcomes, done.error) if text
                   else report.as_json(done.plan, done.outcomes, done.error), nl=False)
    raise click.exceptions.Exit(done.exit_code)


class _progress:
    """A progress bar on stderr when it is a terminal and the push is long; silent otherwise."""

    def __init__(self, total: int):
        self.bar = click.progressbar(length=total, label="pushing", file=sys.stderr) \
            if total >= 20 and sys.stderr.isatty() else None

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return lambda outcome: self.bar.update(1) if self.bar is not None else None

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
