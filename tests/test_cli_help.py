"""Every command is documented: listed in `dashgen --help`, with an example in its own --help."""

from __future__ import annotations

import pytest

from dashgen.cli.main import COMMANDS


def test_top_level_help_lists_every_command(cli):
    code, out, _ = cli("--help")
    assert code == 0
    flat = " ".join(out.split())
    for name, (_, summary) in COMMANDS.items():
        assert f"{name} {summary}" in flat


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_has_examples(cli, name):
    code, out, _ = cli(name, "--help")
    assert code == 0
    assert "Examples:" in out and f"dashgen {name}" in out


def test_unknown_command_is_a_usage_error(cli):
    code, _, err = cli("bild")
    assert code == 2
    assert "No such command 'bild'" in err


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("dashgen, version ")


def test_help_imports_neither_grafanalib_nor_jsonschema():
    import subprocess
    import sys

    probe = (
        "import sys\nfrom dashgen.cli.main import cli\nfrom dashgen.cli.report import run_reporting_errors\n"
        "run_reporting_errors(cli, ['--help'])\n"
        "print(sorted(m for m in ('grafanalib', 'jsonschema', 'jsonschema_rs', 'grafana_client', 'yaml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"

