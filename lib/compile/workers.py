"""A large project compiles in forked worker processes, on interleaved shards merged back into file
order. On 2 cores and 1,000 dashboards they save about a fifth of the wall time for a fifth more
CPU (bench/build_bench.py); below PARALLEL_FROM definitions, starting them costs more than it saves."""

from __future__ import annotations

import multiprocessing
import os

from dashgen.compile.files import compile_files
from dashgen.errors import InputError
from dashgen.model import CompiledDashboard
from dashgen.project import Project

PARALLEL_FROM = 64
WORKER_DIED = ("a compile worker ended without answering: a definition ended its process (a signal, a crash "
               "in a C extension) or the system stopped it (out of memory?)")


def usable_cores() -> int:
    """Cores this process may run on (affinity and cgroup cpusets), not the machine's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def compile_in_workers(project: Project, files: list, debug: bool, workers: int,
                        ) -> tuple[list[CompiledDashboard], list[InputError]]:
    """The same as compile_files, on interleaved shards in forked processes, merged back into file
    order."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import grafanalib.core  # noqa: F401 - imported once here, shared by every forked worker

    from dashgen.loader import ThreadLeftRunning
    from dashgen.validate import is_valid

    is_valid({})  # builds the validator before forking
    shards = [files[i::workers] for i in range(workers)]
    # A pool that notices a worker dying (a multiprocessing.Pool would wait for its answer forever).
    # With fork it starts every worker at the first submit, before its own thread.
    fork, others = multiprocessing.get_context("fork"), set(multiprocessing.active_children())
    with ProcessPoolExecutor(workers, mp_context=fork, initializer=_worker_started) as pool:
        try:
            results = [p.result() for p in [pool.submit(compile_files, project, shard, debug) for shard in shards]]
        except BrokenProcessPool as exc:
            if exc.__cause__ is not None:  # not a dead worker: an answer this process could not read
                raise
            return [], [InputError(None, WORKER_DIED)]
        except BaseException:  # Ctrl-C (perhaps to this process alone): leaving the pool would wait for them
            _terminate(set(multiprocessing.active_children()) - others)
            raise
        if any(isinstance(e, ThreadLeftRunning) for _, failed in results for e in failed):
            _terminate(set(multiprocessing.active_children()) - others)  # a worker would wait for it to end
    order = {project.relative(path): i for i, path in enumerate(files)}
    compiled = sorted((d for done, _ in results for d in done), key=lambda d: order[d.file])
    errors = sorted((e for _, failed in results for e in failed), key=lambda e: order.get(e.location.file, -1))
    return compiled, errors


def _terminate(workers) -> None:
    for worker in workers:
        worker.terminate()


def _worker_started() -> None:
    """Ctrl-C at a terminal reaches the workers too: each ends at once, without a traceback, and
    the parent reports the interrupt. A build started with Ctrl-C ignored (in the background of a
    script) keeps ignoring it."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
