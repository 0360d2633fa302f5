"""Turns library errors into one-line messages on stderr and the documented exit codes, and a
crash inside dashgen into exit 70 with the traceback a bug report needs."""

from __future__ import annotations

import os
import sys
import threading
import traceback

import click

from dashgen.errors import DashgenError, InputErrors

INTERNAL_ERROR = 70  # sysexits' EX_SOFTWARE: a bug in dashgen, which CI must not read as findings (1)


def run_reporting_errors(command, args: list[str] | None = None) -> int:
    """Runs the click command on `args` (default: sys.argv) and returns the exit code."""
    try:
        # Without standalone mode click returns a command's Exit code instead of raising it.
        result = command.main(args=args, prog_name="dashgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130
    except DashgenError as exc:
        print_error(exc)
        return exc.exit_code
    except Exception:  # noqa: BLE001 - not bad input but a bug: say so, with what a report needs
        click.echo("error: internal error in dashgen (a bug, not your input); please report it with this traceback:",
                   err=True)
        traceback.print_exc()
        return INTERNAL_ERROR
    return result if isinstance(result, int) else 0


def print_error(exc: DashgenError) -> None:
    if isinstance(exc, InputErrors):
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        count = len(exc.errors)
        click.echo(f"{count} error{'s' if count != 1 else ''}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)


def exit_without_waiting(code: int) -> None:
    """Exits with `code`. Python would first wait for every non-daemon thread, and dashgen starts
    none: one still running was left by a definition (reported as an error), so it is not waited for."""
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
