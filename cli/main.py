"""The `dashgen` entry point: loads each command's module only when that command runs, so that
`dashgen --help` starts without importing grafanalib, jsonschema or the Grafana client."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from dashgen import __version__

# name -> (module under dashgen.cli, one-line summary shown by `dashgen --help`)
COMMANDS = {
    "build": ("build", "Compile the definitions into Grafana provisioning files under generated/."),
    "lint": ("lint", "Check every query and panel for cardinality and correctness."),
    "diff": ("diff", "Show what a change does, panel by panel: since a commit, or against a Grafana."),
    "push": ("push", "Make an environment's Grafana match the build, safely."),
    "render": ("render", "Draw a dashboard's layout to scale as an SVG picture."),
    "catalogue": ("catalogue", "Keep the metric catalogue true to a real Prometheus (catalogue sync)."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"dashgen.cli.{COMMANDS[name][0]}")
        return getattr(module, name)

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dashgen")
@click.option(
    "-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (default: the nearest parent with a [tool.dashgen] pyproject.toml).",
)
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors in definitions.")
@click.pass_context
def cli(ctx, project_dir, debug):
    """dashgen: Grafana dashboards and datasources as code.

    Define dashboards in Python (grafanalib) under dashboards/, then build, lint, diff and push them.
    """
    ctx.obj = {"project_dir": project_dir, "debug": debug}


def main() -> None:
    from dashgen.cli.report import exit_without_waiting, run_reporting_errors

    exit_without_waiting(run_reporting_errors(cli))
