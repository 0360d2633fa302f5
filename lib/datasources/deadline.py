"""Runs a backtracking regex (Python's re, standing in for the browser's JavaScript) against sample
lines within a time limit, so that no pattern can hang a build.

Python's re holds the GIL while it matches, so a worker thread cannot be abandoned: the main thread
would not run again until the match ends. It does check for signals as it backtracks, so in the main
thread a SIGALRM timer interrupts it at no cost when it is fast (the usual case: microseconds).
Elsewhere (another thread, or no SIGALRM) the search runs in a child Python, killed at the limit.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time

LIMIT_S = 1.0  # per regex, for all its sample lines; a sound one takes microseconds

_CHILD = """
import json, re, sys
pattern, flags, lines = json.load(sys.stdin)
found = [re.compile(pattern, flags).search(line) for line in lines]
json.dump([m.group(1) if m else None for m in found], sys.stdout)
"""


class _Expired(Exception):
    pass


def first_groups(pattern: re.Pattern, lines: list[str], seconds: float = LIMIT_S) -> list[str | None] | None:
    """The first group `pattern` finds in each line (None where it finds nothing), or None when that
    takes longer than `seconds`."""
    if _can_time_in_process():
        return _in_process(pattern, lines, seconds)
    return _in_child(pattern, lines, seconds)


def _can_time_in_process() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) is not None)  # None: a handler Python cannot put back


def _in_process(pattern: re.Pattern, lines: list[str], seconds: float) -> list[str | None] | None:
    previous = signal.signal(signal.SIGALRM, _expire)
    started = time.monotonic()
    earlier, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            return [_group(pattern.search(line)) for line in lines]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        return None
    finally:
        signal.signal(signal.SIGALRM, previous)
        if earlier:  # someone else's timer: put it back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(earlier - (time.monotonic() - started), 1e-6), interval)


def _expire(signum, frame):
    raise _Expired


def _in_child(pattern: re.Pattern, lines: list[str], seconds: float) -> list[str | None] | None:
    request = json.dumps([pattern.pattern, pattern.flags, lines])
    try:
        run = subprocess.run([sys.executable, "-I", "-S", "-c", _CHILD], input=request, capture_output=True,
                             text=True, timeout=seconds + 0.5, check=True)  # + a Python's start-up
        return json.loads(run.stdout)
    except subprocess.TimeoutExpired:
        return None
    except (OSError, subprocess.SubprocessError, ValueError):  # no Python to run (embedded, frozen):
        return [_group(pattern.search(line)) for line in lines]  # unbounded, as the static check stands


def _group(match: re.Match | None) -> str | None:
    return match.group(1) if match else None
