"""Definitions that used to crash dashgen (exit 70), end it without a word, interrupt it or keep it
alive: each is one located line and exit 2, and a real Ctrl-C is still exit 130 (issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import SIMPLE

TS = 'from grafanalib.core import Dashboard, Target, TimeSeries\nDS = {"type": "prometheus", "uid": "p"}\n'

# name: (file, source, the one error line)
BROKEN = {
    "panel-title-dict": (
        "dashboards/title.py",
        TS + 'dashboard = Dashboard(title="T", uid="t", panels=[TimeSeries(title={"a": 1}, dataSource=DS,'
        ' targets=[Target(expr="up")])])\n',
        "dashboards/title.py · dashboard 't': panels[0].title is a dict ({'a': 1}), not a string",
    ),
    "panel-title-list": (
        "dashboards/title.py",
        TS + 'dashboard = Dashboard(title="T", uid="t", panels=[TimeSeries(title=["CPU"], dataSource=DS,'
        ' targets=[Target(expr="up")])])\n',
        "dashboards/title.py · dashboard 't': panels[0].title is a list (['CPU']), not a string",
    ),
    "row-child-title-list": (
        "dashboards/title.py",
        'from grafanalib.core import Dashboard, RowPanel\n'
        'dashboard = Dashboard(title="T", uid="t", panels=[RowPanel(title="R", panels=[{"type": "text", "title": [1]}])])\n',
        "dashboards/title.py · dashboard 't': panels[0].panels[0].title is a list ([1]), not a string",
    ),
    "gridpos-string": (
        "dashboards/grid.py",
        TS + 'dashboard = Dashboard(title="T", uid="t", panels=[TimeSeries(title="CPU", gridPos="12x8", dataSource=DS,'
        ' targets=[Target(expr="up")])])\n',
        "dashboards/grid.py · dashboard 't' · panel 'CPU': gridPos is a str ('12x8'), not an object",
    ),
    "fieldconfig-number": (
        "dashboards/field.py",
        'from grafanalib.core import Dashboard\n'
        'dashboard = Dashboard(title="T", uid="t", panels=[{"type": "stat", "title": "Up", "fieldConfig": 5}])\n',
        "dashboards/field.py · dashboard 't' · panel 'Up': fieldConfig is an int (5), not an object",
    ),
    "fieldconfig-defaults-list": (
        "dashboards/field.py",
        'from grafanalib.core import Dashboard\n'
        'dashboard = Dashboard(title="T", uid="t", panels=[{"type": "stat", "title": "Up",'
        ' "fieldConfig": {"defaults": ["unit"]}}])\n',
        "dashboards/field.py · dashboard 't' · panel 'Up': fieldConfig.defaults is a list (['unit']), not an object",
    ),
    "targets-number": (
        "dashboards/targets.py",
        'from grafanalib.core import Dashboard\n'
        'dashboard = Dashboard(title="T", uid="t", panels=[{"type": "stat", "title": "Up", "targets": 5}])\n',
        "dashboards/targets.py · dashboard 't' · panel 'Up': targets is an int (5), not a list",
    ),
    "ref-id-number": (
        "dashboards/refs.py",
        TS + 'dashboard = Dashboard(title="T", uid="t", panels=[TimeSeries(title="CPU", dataSource=DS,'
        ' targets=[{"expr": "up", "refId": 1}])])\n',
        "dashboards/refs.py · dashboard 't' · panel 'CPU': targets[0].refId is an int (1), not a string",
    ),
    "templating-string": (
        "dashboards/vars.py",
        'from grafanalib.core import Dashboard\n'
        'class D(Dashboard):\n'
        '    def to_json_data(self):\n'
        '        return {**super().to_json_data(), "templating": "job"}\n'
        'dashboard = D(title="T", uid="t")\n',
        "dashboards/vars.py · dashboard 't': templating is a str ('job'), not an object",
    ),
    "to-json-data-raises": (
        "dashboards/extra.py",
        'from grafanalib.core import Dashboard, TimeSeries\n'
        'dashboard = Dashboard(title="T", uid="t", panels=[TimeSeries(title="X", extraJson={"fieldConfig": 5})])\n',
        "dashboards/extra.py · dashboard 't': cannot turn the definition into JSON: TimeSeries.to_json_data() raised"
        " AttributeError: 'int' object has no attribute 'items'",
    ),
    "str-raises": (
        "dashboards/strange.py",
        'class Strange(Exception):\n    def __str__(self):\n        raise RuntimeError("no")\n\n\nraise Strange()\n',
        "dashboards/strange.py:6: Strange: (no message: its __str__ raised RuntimeError)",
    ),
    "sys-exit": (
        "dashboards/quits.py",
        "import sys\n\nsys.exit(4)\n",
        "dashboards/quits.py:3: exits (SystemExit: 4); a definition must not end the program",
    ),
    "os-exit": (
        "dashboards/ends.py",
        "import os\n\nos._exit(3)\n",
        "dashboards/ends.py:3: calls os._exit(3); a definition must not end the program",
    ),
    "os-exit-caught-by-except-exception": (
        "dashboards/ends.py",
        "import os\n\ntry:\n    os._exit(3)\nexcept Exception:\n    pass\n",
        "dashboards/ends.py:4: calls os._exit(3); a definition must not end the program",
    ),
    "keyboard-interrupt": (
        "dashboards/interrupts.py",
        "raise KeyboardInterrupt\n",
        "dashboards/interrupts.py:1: raises KeyboardInterrupt (no Ctrl-C was pressed); a definition must not"
        " interrupt the build",
    ),
    "generator-exit": (
        "dashboards/closes.py",
        "raise GeneratorExit('closed')\n",
        "dashboards/closes.py:1: GeneratorExit: closed",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_definition_is_one_located_line(project, cli, case):
    project.write("dashboards/good.py", SIMPLE)
    assert cli("-C", str(project.root), "build")[0] == 0
    before = project.tree()
    rel, source, message = BROKEN[case]
    project.write(rel, source)

    code, out, err = cli("-C", str(project.root), "build")

    assert (code, out, err) == (2, "", f"error: {message}\n1 error\n")
    assert project.tree() == before


def test_every_one_is_reported_in_one_run(project, cli):
    """None of them stops the build before the others are read: not os._exit, not an interrupt."""
    expected = []
    for case, (rel, source, message) in sorted(BROKEN.items()):
        renamed = f"dashboards/{case.replace('-', '_')}.py"
        project.write(renamed, source)
        expected.append(f"error: {message.replace(rel, renamed)}")
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == expected + [f"{len(BROKEN)} errors"]


def test_a_datasource_module_that_calls_os_exit_is_one_located_line(project, cli):
    project.write("dashboards/good.py", SIMPLE)
    project.write("datasources/stack.py", "import os\nos._exit(5)\n")
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, "error: datasources/stack.py:2: calls os._exit(5); a definition must not end the program\n"
                              "1 error\n")


def test_os_exit_is_itself_again_after_the_build(project, cli):
    real = os._exit
    project.write("dashboards/ends.py", BROKEN["os-exit"][1])
    assert cli("-C", str(project.root), "build")[0] == 2
    assert os._exit is real


def test_800_queries_without_ref_id_are_named_as_grafana_names_them(project, cli):
    """Grafana's getNextRefId goes on past ZZ with AAA, AAB...; so does dashgen."""
    project.write("dashboards/many.py", TS + 'dashboard = Dashboard(title="T", uid="many", panels=[TimeSeries('
                  'title="Many", dataSource=DS, targets=[Target(expr="up", refId="B")] + [Target(expr="up")] * 800)])\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (0, "")
    model = json.loads((project.root / "generated/dashboards/Team/many.json").read_text())
    refs = [t["refId"] for t in model["panels"][0]["targets"]]
    assert len(set(refs)) == 801
    assert refs[:4] == ["B", "A", "C", "D"]
    assert (refs[25], refs[26], refs[27], refs[701], refs[702], refs[800]) == ("Z", "AA", "AB", "ZZ", "AAA", "ADU")


# dashgen as a process, taking Ctrl-C as a terminal gives it (a test runner may ignore SIGINT).
AT_A_TERMINAL = [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                 "from dashgen.cli.main import main; main()"]


def test_os_exit_names_the_definition(project):
    project.write("dashboards/d.py", "import os\nos._exit(3)\n")
    done = subprocess.run(AT_A_TERMINAL + ["-C", str(project.root), "build"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "error: dashboards/d.py:2: calls os._exit(3); a definition must not end the program\n1 error\n")


def test_a_real_ctrl_c_while_a_definition_loads_still_exits_130(project):
    """The same KeyboardInterrupt as the definition's own, but a SIGINT arrived: the user's."""
    project.write("dashboards/slow.py", "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(30)\n")
    done = subprocess.run(AT_A_TERMINAL + ["-C", str(project.root), "build"], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (130, "", "interrupted")


def test_a_thread_left_running_is_reported_and_not_waited_for(project):
    for n in range(6):
        project.write(f"dashboards/d{n}.py", SIMPLE.replace('uid="simple"', f'uid="d{n}"'))
    project.write("dashboards/d3.py", "import threading, time\n"
                  "threading.Thread(target=time.sleep, args=(600,), name='poller').start()\n"
                  + SIMPLE.replace('uid="simple"', 'uid="d3"'))
    started = time.monotonic()
    done = subprocess.run(AT_A_TERMINAL + ["-C", str(project.root), "build"], capture_output=True, text=True,
                          timeout=120)
    assert time.monotonic() - started < 60
    assert (done.returncode, done.stdout, done.stderr) == (2, "", (
        "error: dashboards/d3.py: leaves a thread running ('poller'); a definition must not start work that outlives it"
        " (dashgen does not wait for it; pass daemon=True or join it)\n1 error\n"))
    assert not (project.root / "generated").exists()


def test_a_daemon_thread_is_no_error(project):
    project.write("dashboards/d.py", "import threading, time\n"
                  "threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n" + SIMPLE)
    done = subprocess.run(AT_A_TERMINAL + ["-C", str(project.root), "build"], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stderr) == (0, "")


def test_an_exception_whose_str_raises_still_shows_its_traceback_with_debug(project, cli):
    project.write("dashboards/strange.py", BROKEN["str-raises"][1])
    code, _, err = cli("--debug", "-C", str(project.root), "build")
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-2:] == [f"error: {BROKEN['str-raises'][2]}", "1 error"]


def test_signal_handling_is_restored_after_loading(project, cli):
    before = signal.getsignal(signal.SIGINT)
    project.write("dashboards/good.py", SIMPLE)
    assert cli("-C", str(project.root), "build")[0] == 0
    assert signal.getsignal(signal.SIGINT) is before


def test_a_thread_that_ends_at_once_is_no_error(project, cli):
    """A definition's short-lived helper thread is not "left running": the verdict is no race."""
    project.write("dashboards/d.py", "import threading, time\n"
                  "threading.Thread(target=time.sleep, args=(0.01,)).start()\n" + SIMPLE)
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (0, "")


def test_a_build_from_another_thread_leaves_os_exit_alone(project):
    """A library caller's thread: the process's os._exit is never swapped (no interleaved patching)."""
    import builtins
    import threading

    from dashgen.build import build
    from dashgen.project import find_project

    project.write("dashboards/d.py", "import builtins, os\nbuiltins._dashgen_seen_exit = os._exit\n" + SIMPLE)
    worker = threading.Thread(target=lambda: build(find_project(project.root)))
    worker.start()
    worker.join(timeout=60)
    assert builtins.__dict__.pop("_dashgen_seen_exit") is os._exit
