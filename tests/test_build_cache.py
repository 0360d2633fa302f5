"""The compile cache: a build reuses the last compile only while nothing that compile read has
changed, whatever the change is (a definition, a helper, a file a definition opened, the settings,
a library), and never serves a stale dashboard."""

from __future__ import annotations

import dataclasses
import json
import os
import sys

import pytest

from conftest import SIMPLE, in_two_workers
from dashgen import build_cache
from dashgen.build import build
from dashgen.project import find_project

HELPER_USER = '''
from dashboards._titles import TITLE
''' + SIMPLE.replace('title="Simple"', "title=TITLE")


@pytest.fixture(autouse=True)
def files_written_just_now_are_settled(monkeypatch):
    """These tests write sources and build at once; store's racy check is tested on its own."""
    monkeypatch.setattr(build_cache, "RACY_NS", 0)


def age(project, seconds: int = 3600) -> None:
    """Every file of the project as if saved an hour ago."""
    past = os.stat(project.root).st_mtime - seconds
    for path in project.root.rglob("*"):
        os.utime(path, (past, past))


@pytest.fixture
def compiles(monkeypatch):
    """Counts the definitions actually compiled (not served from the cache)."""
    import dashgen.build as build_module

    calls = []
    real = build_module._compile_files

    def spy(project, files, debug):
        calls.extend(project.relative(f) for f in files)
        return real(project, files, debug)

    monkeypatch.setattr(build_module, "_compile_files", spy)
    return calls


def titles(project) -> dict[str, str]:
    return {d.uid: d.model["title"] for d in build(find_project(project.root)).dashboards}


def test_an_unchanged_project_is_not_compiled_again(project, compiles):
    project.write("dashboards/simple.py", SIMPLE)
    first = build(find_project(project.root))
    second = build(find_project(project.root))
    assert compiles == ["dashboards/simple.py"]
    assert second.files == first.files
    assert [(d.uid, d.title, d.references) for d in second.dashboards] == \
        [(d.uid, d.title, d.references) for d in first.dashboards]
    assert (project.root / ".dashgen/cache/.gitignore").read_text().endswith("*\n")


@pytest.mark.parametrize("change", [
    "definition", "helper", "data file in the project", "data file elsewhere", "new definition", "settings",
])
def test_any_change_to_what_the_compile_read_compiles_again(project, compiles, tmp_path, change):
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("Outside")
    project.write("dashboards/_titles.py", f'TITLE = open("{project.root}/title.txt").read() + open("{elsewhere}").read()\n')
    project.write("title.txt", "Inside")
    project.write("dashboards/simple.py", HELPER_USER)
    assert titles(project) == {"simple": "InsideOutside"}
    if change == "definition":
        project.write("dashboards/simple.py", HELPER_USER.replace("title=TITLE", 'title=TITLE + "!"'))
    elif change == "helper":
        project.write("dashboards/_titles.py", 'TITLE = "Helper"\n')
    elif change == "data file in the project":
        project.write("title.txt", "Changed")
    elif change == "data file elsewhere":
        elsewhere.write_text("Changed elsewhere")
    elif change == "new definition":
        project.write("dashboards/other.py", SIMPLE.replace('uid="simple"', 'uid="other"'))
    else:
        (project.root / "pyproject.toml").write_text(
            (project.root / "pyproject.toml").read_text().replace('"Team"', '"Ops"'))
    expected = {
        "definition": {"simple": "InsideOutside!"}, "helper": {"simple": "Helper"},
        "data file in the project": {"simple": "ChangedOutside"},
        "data file elsewhere": {"simple": "InsideChanged elsewhere"},
        "new definition": {"simple": "InsideOutside", "other": "Simple"}, "settings": {"simple": "InsideOutside"},
    }[change]
    assert titles(project) == expected
    assert compiles.count("dashboards/simple.py") == 2
    if change == "settings":
        assert [d.folder for d in build(find_project(project.root)).dashboards] == ["Ops"]


def test_a_file_changed_while_compiling_is_not_cached(project, monkeypatch):
    """A save during a compile may come after the compile read the file: caching that output
    under the new content would keep it stale until the next edit."""
    monkeypatch.setattr(build_cache, "RACY_NS", 50_000_000)  # wider than the file clock's lag; narrower than
    project.write("title.txt", "Before")                      # the time since anything else was edited
    project.write("dashboards/_titles.py", f'TITLE = open("{project.root}/title.txt").read()\n')
    project.write("dashboards/simple.py", HELPER_USER)
    age(project)
    build(find_project(project.root))
    assert (project.root / ".dashgen/cache/compiled.bin").is_file()  # settled files: cached

    (project.root / ".dashgen/cache/compiled.bin").unlink()
    project.write("dashboards/_titles.py", f'TITLE = open("{project.root}/title.txt").read()\n'
                                           f'open("{project.root}/title.txt", "w").write("Saved meanwhile")\n')
    age(project)
    assert titles(project) == {"simple": "Before"}
    assert not (project.root / ".dashgen/cache/compiled.bin").exists()
    assert titles(project) == {"simple": "Saved meanwhile"}


def test_bytecode_reads_are_tracked_as_their_source(project, compiles, monkeypatch):
    """With bytecode caches on (the default outside this test suite's environment), importing a
    helper opens only its .pyc: the helper itself must still be tracked."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    project.write("dashboards/_titles.py", 'TITLE = "One"\n')
    project.write("dashboards/simple.py", HELPER_USER)
    assert titles(project) == {"simple": "One"}
    assert titles(project) == {"simple": "One"}  # the helper's .pyc now exists and is what imports read
    assert list((project.root / "dashboards/__pycache__").glob("_titles.*.pyc"))
    project.write("dashboards/_titles.py", 'TITLE = "Three"\n')  # another size: Python's own check of
    assert titles(project) == {"simple": "Three"}                 # its .pyc reads size and whole seconds
    assert compiles.count("dashboards/simple.py") == 2


def test_a_file_a_definition_only_tests_for_counts(project, compiles):
    project.write("dashboards/_titles.py",
                  f'import os\nTITLE = "Override" if os.path.exists("{project.root}/override.txt") else "Plain"\n')
    project.write("dashboards/simple.py", HELPER_USER)
    assert titles(project) == {"simple": "Plain"}
    project.write("override.txt", "")
    assert titles(project) == {"simple": "Override"}
    assert len(compiles) == 2


def test_a_file_created_while_compiling_is_seen_by_the_next_build(project, compiles):
    """The project's file list is taken before the compile: a helper created meanwhile, which the
    compile may have missed, makes the next build compile again."""
    late = project.root / "dashboards" / "_late.py"
    project.write("dashboards/_titles.py", f'import os\nTITLE = "Early" if not os.path.exists("{late}") else "Late"\n'
                                           f'open("{late}", "w").write("")\n')
    project.write("dashboards/simple.py", HELPER_USER)
    assert titles(project) == {"simple": "Early"}
    assert titles(project) == {"simple": "Late"}
    assert len(compiles) == 2


def test_the_key_is_taken_before_the_definitions_run(project, compiles):
    """A definition that extends the import path (a monorepo's shared code) still gets cache hits."""
    saved = list(sys.path)
    project.write("dashboards/simple.py", 'import sys\nsys.path.append("/opt/shared")\n' + SIMPLE)
    build(find_project(project.root))
    sys.path[:] = saved  # as in a new process
    build(find_project(project.root))
    assert compiles == ["dashboards/simple.py"]


def test_another_working_directory_compiles_again(project, compiles, monkeypatch, tmp_path):
    """A definition may open a path relative to the working directory."""
    project.write("dashboards/simple.py", SIMPLE)
    build(find_project(project.root))
    monkeypatch.chdir(tmp_path)
    build(find_project(project.root))
    build(find_project(project.root))
    assert len(compiles) == 2


def test_a_damaged_body_is_never_served(project, compiles):
    project.write("dashboards/simple.py", SIMPLE)
    first = build(find_project(project.root)).files
    path = project.root / ".dashgen/cache/compiled.bin"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x20
    path.write_bytes(bytes(data))
    assert build(find_project(project.root)).files == first
    assert len(compiles) == 2


def test_a_file_name_that_is_not_utf8_is_no_trouble(project, compiles):
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / os.fsdecode(b"notes-\xff.txt")).write_text("x")
    first = build(find_project(project.root)).files
    assert build(find_project(project.root)).files == first
    assert len(compiles) == 1


def test_the_cache_tracks_the_libraries_the_compile_loaded(project):
    import grafanalib.core

    import dashgen.compile

    project.write("dashboards/simple.py", SIMPLE)
    build(find_project(project.root))
    data = (project.root / ".dashgen/cache/compiled.bin").read_bytes()
    read = json.loads(data[:data.index(b"\n")])["read"]
    assert grafanalib.core.__file__ in read and dashgen.compile.__file__ in read
    assert read[str(project.root / "dashboards/simple.py")] != "-"  # the content's hash
    stat = os.stat(grafanalib.core.__file__)
    assert read[grafanalib.core.__file__] == f"{stat.st_size}:{stat.st_mtime_ns}"


def test_installing_a_package_compiles_again(project, compiles, tmp_path, monkeypatch):
    """An optional import that failed may succeed once a package is installed: the folders imports
    search are part of what the compile read."""
    libraries = tmp_path / "site"
    libraries.mkdir()
    monkeypatch.syspath_prepend(str(libraries))
    optional = 'try:\n    from house_style import TITLE\nexcept ImportError:\n    TITLE = "Plain"\n'
    project.write("dashboards/simple.py", optional + SIMPLE.replace('title="Simple"', "title=TITLE"))
    assert titles(project) == {"simple": "Plain"}
    (libraries / "house_style.py").write_text('TITLE = "Styled"\n')
    assert titles(project) == {"simple": "Styled"}
    assert len(compiles) == 2


def test_a_failed_compile_keeps_the_last_good_cache_and_no_cache_compiles_anyway(project, compiles):
    project.write("dashboards/simple.py", SIMPLE)
    build(find_project(project.root))
    cache = (project.root / ".dashgen/cache/compiled.bin").read_bytes()
    project.write("dashboards/broken.py", "1 / 0\n")
    with pytest.raises(Exception):
        build(find_project(project.root))
    assert (project.root / ".dashgen/cache/compiled.bin").read_bytes() == cache
    (project.root / "dashboards/broken.py").unlink()
    build(dataclasses.replace(find_project(project.root), cache=False))
    assert compiles == ["dashboards/simple.py", "dashboards/broken.py", "dashboards/simple.py", "dashboards/simple.py"]


@pytest.mark.parametrize("damage", [b"", b"not json\n", b'{"key": "x"}\n', None])
def test_a_damaged_cache_is_ignored_and_replaced(project, compiles, damage):
    project.write("dashboards/simple.py", SIMPLE)
    first = build(find_project(project.root)).files
    path = project.root / ".dashgen/cache/compiled.bin"
    path.write_bytes(damage if damage is not None else path.read_bytes()[:-10])  # None: truncated
    assert build(find_project(project.root)).files == first
    assert build(find_project(project.root)).files == first
    assert len(compiles) == 2


def test_an_unwritable_cache_folder_does_not_stop_a_build(project):
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / ".dashgen").write_text("a file where the folder would go")
    assert build(find_project(project.root)).dashboards[0].uid == "simple"


def test_the_cli_no_cache_option(project, cli, compiles):
    project.write("dashboards/simple.py", SIMPLE)
    assert cli("-C", str(project.root), "build")[0] == 0
    assert cli("-C", str(project.root), "build", "--check")[0] == 0
    assert cli("-C", str(project.root), "--no-cache", "build", "--check")[0] == 0
    assert compiles == ["dashboards/simple.py", "dashboards/simple.py"]


def test_a_parallel_compile_records_what_its_workers_read(project, monkeypatch):
    in_two_workers(monkeypatch)
    project.write("dashboards/_titles.py", 'TITLE = "One"\n')
    for n in range(4):
        project.write(f"dashboards/d{n}.py", HELPER_USER.replace('uid="simple"', f'uid="d{n}"'))
    assert set(titles(project).values()) == {"One"}
    project.write("dashboards/_titles.py", 'TITLE = "Two"\n')
    assert set(titles(project).values()) == {"Two"}


def test_recording_is_per_compile(tmp_path):
    build_cache.start_recording()
    (tmp_path / "a.txt").write_text("x")
    open(tmp_path / "a.txt").close()
    assert str(tmp_path / "a.txt") in build_cache.stop_recording()
    open(tmp_path / "a.txt").close()
    build_cache.start_recording()
    assert str(tmp_path / "a.txt") not in build_cache.stop_recording()
