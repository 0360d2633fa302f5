"""A build only ever deletes files that a build wrote: the manifest, what it refuses (hand-made
folders, also through a symlink), a folder from before manifests, and kills at every step of the swap."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SIMPLE
from dashgen.canonical import YAML_HEADER
from dashgen.output import BOOKKEEPING, HEADER, MANIFEST, manifest, recover, write_tree

OTHER = SIMPLE.replace('uid="simple"', 'uid="other"')
PROVIDER = "provisioning/default/dashboards/dashgen.yaml"
RECORD = [MANIFEST]
NO_MANIFEST = ("which this build would not write, and no .dashgen/manifest records what a build wrote there; "
               "move the folder away or delete it yourself, or choose an empty folder")
NOT_LISTED = ("which no build wrote (it is not in .dashgen/manifest); move it away, or choose an empty folder "
              "or a previous build's")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (links not followed), relative path -> bytes."""
    found = {}
    for parent, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(parent, d))]:
            path = Path(parent, name)
            found[path.relative_to(folder).as_posix()] = b"->" + os.readlink(path).encode() if path.is_symlink() \
                else path.read_bytes()
    return found


def output(folder: Path) -> dict[str, bytes]:
    """The files of a build in `folder`, without the record of them."""
    return {rel: data for rel, data in tree(folder).items() if rel not in BOOKKEEPING}


def hand_made(folder: Path, files: dict[str, str]) -> dict[str, bytes]:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return tree(folder)


def beside(project) -> list[str]:
    """What the project folder holds."""
    return sorted(os.listdir(project.root))


def build(cli, project, *args: str):
    return cli("-C", str(project.root), "build", *args)


# --- the manifest -----------------------------------------------------------------------------

def test_a_build_records_exactly_what_it_wrote(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    files = output(project.root / "generated")
    generated = tree(project.root / "generated")

    lines = [f"{hashlib.sha256(files[rel]).hexdigest()}  {rel}\n" for rel in sorted(files)]
    assert generated[MANIFEST] == HEADER + "".join(lines).encode()
    assert sorted(files) == ["dashboards/Team/simple.json", PROVIDER]
    assert manifest(files) == generated[MANIFEST]
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=project.root / "generated",
                                 capture_output=True, text=True)
        assert (checked.returncode, checked.stdout) == (0, f"dashboards/Team/simple.json: OK\n{PROVIDER}: OK\n")


def test_the_record_is_committed_and_checked_with_the_output(project, cli):
    """A fresh clone must know what a build wrote (to remove a deleted dashboard's file), so the
    record goes into git with generated/, and --check finds it stale like any output file."""
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project.root, check=True)
    tracked = subprocess.run(["git", "ls-files", "generated"], cwd=project.root, check=True, capture_output=True, text=True)
    assert tracked.stdout.splitlines() == ["generated/.dashgen/manifest", "generated/dashboards/Team/simple.json",
                                           f"generated/{PROVIDER}"]
    shutil.rmtree(project.root / "generated" / ".dashgen")
    assert build(cli, project, "--check") == (1, "stale: generated/.dashgen/manifest\ngenerated/ is out of date (1 file "
                                                 "differs); run `dashgen build`\n", "")


def test_a_fresh_clone_removes_the_file_of_a_deleted_dashboard(project, cli, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    project.write("dashboards/other.py", SIMPLE.replace('"simple"', '"other"').replace('"Simple"', '"Other"'))
    assert build(cli, project)[0] == 0
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project.root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], cwd=project.root,
                   check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project.root), str(clone)], check=True)
    (clone / "dashboards" / "other.py").unlink()
    code, out, err = cli("-C", str(clone), "build")
    assert (code, err) == (0, "") and "1 removed" in out
    assert not (clone / "generated" / "dashboards" / "Team" / "other.json").exists()


def test_an_unchanged_build_rewrites_nothing(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    before = os.stat(project.root / "generated").st_ino, tree(project.root / "generated")
    assert build(cli, project) == (0, "built 1 dashboard in 1 folder into generated/: 0 of 2 files changed, 0 removed\n", "")
    assert (os.stat(project.root / "generated").st_ino, tree(project.root / "generated")) == before


# --- what a build refuses -----------------------------------------------------------------------

HAND_MADE = {
    "both": {"provisioning/alerting/rules.yaml": "groups: []\n", "dashboards/handmade.json": "{}\n"},
    "dashboards only": {"dashboards/handmade.json": "{}\n"},
    "provisioning only": {"provisioning/alerting/rules.yaml": "groups: []\n"},
    "in a folder a build writes": {"dashboards/Team/handmade.json": "{}\n"},
}


@pytest.mark.parametrize("case", sorted(HAND_MADE))
def test_a_hand_made_provisioning_tree_is_refused_and_left_as_it_is(project, cli, tmp_path, case):
    """Issue 12: a folder holding only dashboards/ and provisioning/ was taken for a build's, its files deleted."""
    project.write("dashboards/simple.py", SIMPLE)
    out = tmp_path / "grafana"
    before = hand_made(out, HAND_MADE[case])

    code, stdout, err = build(cli, project, "--out", str(out))

    assert (code, stdout) == (2, "")
    assert err == f"error: {out}: the output folder holds {sorted(HAND_MADE[case])[0]!r}, {NO_MANIFEST}\n"
    assert tree(out) == before
    assert sorted(os.listdir(tmp_path)) == ["grafana", "proj"]


def test_generated_linked_to_a_hand_made_tree_is_refused_and_the_link_kept(project, cli, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    out = tmp_path / "grafana"
    before = hand_made(out, HAND_MADE["both"])
    (project.root / "generated").symlink_to(out)

    code, _, err = build(cli, project)

    assert code == 2
    assert err == f"error: {out}: the output folder holds 'dashboards/handmade.json', {NO_MANIFEST}\n"
    assert tree(out) == before
    assert os.readlink(project.root / "generated") == str(out)
    assert sorted(os.listdir(tmp_path)) == ["grafana", "proj"]


def test_a_build_writes_through_a_link_into_the_folder_it_points_at(project, cli, tmp_path):
    """The link is kept; the folder it points at is the output, replaced like any other."""
    project.write("dashboards/simple.py", SIMPLE)
    project.write("dashboards/other.py", OTHER)
    out = tmp_path / "mounted" / "generated"
    (project.root / "generated").symlink_to(out)

    assert build(cli, project) == (0, f"built 2 dashboards in 1 folder into {out}/: 3 of 3 files changed, 0 removed\n", "")
    (project.root / "dashboards" / "other.py").unlink()
    assert build(cli, project) == (0, f"built 1 dashboard in 1 folder into {out}/: 0 of 2 files changed, 1 removed\n", "")

    assert os.readlink(project.root / "generated") == str(out)
    assert sorted(tree(out)) == [*RECORD, "dashboards/Team/simple.json", PROVIDER]
    assert os.listdir(tmp_path / "mounted") == ["generated"]


def test_a_file_added_to_a_build_is_refused(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    (generated / "dashboards" / "Team" / "handmade.json").write_text("{}\n")
    project.write("dashboards/simple.py", SIMPLE.replace('"Up"', '"Up now"'))
    before = tree(generated)

    code, _, err = build(cli, project)

    assert code == 2
    assert err == f"error: {generated}: the output folder holds 'dashboards/Team/handmade.json', {NOT_LISTED}\n"
    assert tree(generated) == before
    assert beside(project) == ["dashboards", "generated", "pyproject.toml"]


def test_a_link_inside_the_output_is_refused_never_followed(project, cli, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    mine = tmp_path / "mine"
    before = hand_made(mine, {"Team/simple.json": "{}\n"})
    generated = project.root / "generated"
    shutil.rmtree(generated / "dashboards")
    (generated / "dashboards").symlink_to(mine)

    code, _, err = build(cli, project)

    assert code == 2
    assert err == f"error: {generated}: the output folder holds 'dashboards', {NOT_LISTED}\n"
    assert tree(mine) == before


def test_a_symlink_loop_is_a_located_error(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / "generated").symlink_to(project.root / "generated")
    code, _, err = build(cli, project)
    assert (code, err) == (2, f"error: {project.root / 'generated'}: the output path is a symlink loop; point it at a folder\n")


# --- a folder from before manifests (the committed generated/ of a fresh clone) -------------------

def test_a_folder_without_manifest_holding_only_this_builds_files_is_taken_and_recorded(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    shutil.rmtree(generated / ".dashgen")
    (generated / PROVIDER).write_text("changed by hand\n")
    hand_made(generated, {"provisioning/gone/datasources/dashgen.yaml": YAML_HEADER + "apiVersion: 1\n"})

    assert build(cli, project) == (0, "built 1 dashboard in 1 folder into generated/: 1 of 2 files changed, 1 removed\n", "")
    assert sorted(tree(generated)) == [*RECORD, "dashboards/Team/simple.json", PROVIDER]

    shutil.rmtree(generated / ".dashgen")  # all current: the record is added where it is, nothing swapped
    inode = os.stat(generated).st_ino
    assert build(cli, project) == (0, "built 1 dashboard in 1 folder into generated/: 0 of 2 files changed, 0 removed\n", "")
    assert os.stat(generated).st_ino == inode and sorted(tree(generated)) == [*RECORD, "dashboards/Team/simple.json", PROVIDER]


@pytest.mark.parametrize("rel, text", [
    ("dashboards/Team/removed.json", "{}\n"),  # a removed definition's, or a hand-made one: no telling
    ("provisioning/gone/datasources/dashgen.yaml", "apiVersion: 1\n"),  # without dashgen's header
])
def test_a_folder_without_manifest_holding_anything_else_is_refused(project, cli, rel, text):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    shutil.rmtree(generated / ".dashgen")
    before = hand_made(generated, {rel: text})

    code, _, err = build(cli, project)

    assert code == 2
    assert err == f"error: {generated}: the output folder holds {rel!r}, {NO_MANIFEST}\n"
    assert tree(generated) == before


def test_a_damaged_manifest_counts_as_none(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    hand_made(generated, {"notes.txt": "mine\n"})
    (generated / MANIFEST).write_bytes(HEADER + b"not a line\n" + (generated / MANIFEST).read_bytes()[len(HEADER):]
                                       + b"0" * 64 + b"  notes.txt\n")
    before = tree(generated)
    code, _, err = build(cli, project)
    assert (code, err) == (2, f"error: {generated}: the output folder holds 'notes.txt', {NO_MANIFEST}\n")
    assert tree(generated) == before


# --- leftovers of interrupted builds --------------------------------------------------------------

def test_siblings_that_only_look_like_leftovers_are_never_touched(project, cli, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    elsewhere = tmp_path / "elsewhere"
    hand_made(elsewhere, {"keep.txt": "mine\n"})
    mine = {
        # no manifest: from a dashgen before manifests, or not dashgen's at all
        ".generated.old-1a2b3c4d": {"dashboards/Team/simple.json": "{}\n"},
        ".generated.new-0badc0de": {"notes.txt": "mine\n"},
        ".generated.old-1a2b3c4d5": {},  # not dashgen's name: never looked into
    }
    for name, files in mine.items():
        (project.root / name).mkdir()
        hand_made(project.root / name, files)
    (project.root / ".generated.old-deadbeef").symlink_to(elsewhere)
    before = {name: tree(project.root / name) for name in mine}

    assert build(cli, project)[0] == 0

    assert beside(project) == [*sorted([*mine, ".generated.old-deadbeef"]), "dashboards", "generated", "pyproject.toml"]
    assert {name: tree(project.root / name) for name in mine} == before
    assert tree(elsewhere) == {"keep.txt": b"mine\n"} and (project.root / ".generated.old-deadbeef").is_symlink()


def test_two_retired_outputs_and_none_in_place_is_a_question_for_the_user(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    shutil.copytree(generated, project.root / ".generated.old-00000001")
    generated.rename(project.root / ".generated.old-00000002")

    code, _, err = build(cli, project)

    assert code == 2
    assert err == (f"error: {generated}: the output folder is missing and interrupted builds left .generated.old-00000001, "
                   ".generated.old-00000002; rename the one to keep to 'generated' and delete the others\n")
    assert beside(project) == [".generated.old-00000001", ".generated.old-00000002", "dashboards", "pyproject.toml"]


# --- kills at every step of the swap ----------------------------------------------------------------

class Killed(BaseException):
    """The process ended here: nothing after it runs, no handler, no clean-up."""


MUTATIONS = [(os, "mkdir"), (os, "rename"), (os, "replace"), (os, "unlink"), (os, "rmdir"), (Path, "write_bytes")]


@contextlib.contextmanager
def killed_at(step: int | None, steps: list):
    """Counts each change to the disk into `steps`; from the `step`-th on, each raises Killed, as
    when the process has died (so handlers and `finally` change nothing either)."""
    real = {(owner, name): getattr(owner, name) for owner, name in MUTATIONS}

    def wrapped(owner, name):
        def change(*args, **kwargs):
            if step is not None and len(steps) >= step:
                raise Killed  # dead: nothing more happens, nor is counted
            steps.append(name)
            if len(steps) == step:
                raise Killed
            return real[(owner, name)](*args, **kwargs)
        return change

    for owner, name in MUTATIONS:
        setattr(owner, name, wrapped(owner, name))
    try:
        yield
    finally:
        for (owner, name), function in real.items():
            setattr(owner, name, function)


OLD = {"dashboards/Team/a.json": b"a1\n", "dashboards/Team/gone.json": b"gone\n"}
NEW = {"dashboards/Team/a.json": b"a2\n", "dashboards/Team/b.json": b"b\n"}
# The committed generated/ of a fresh clone: no manifest, a file this build writes and a removed environment's.
CLONE = {"dashboards/Team/a.json": b"a1\n",
         "provisioning/gone/datasources/dashgen.yaml": YAML_HEADER.encode() + b"apiVersion: 1\n"}


def a_build(out: Path, step: int | None = None) -> list:
    """What `dashgen build` does with the output (NEW), killed at `step`; the steps it took."""
    steps = []
    with contextlib.suppress(Killed), killed_at(step, steps):
        recover(out)
        write_tree(NEW, out)
    return steps


def previous(folder: Path, start: str) -> dict[str, bytes]:
    if start == "a previous build":
        write_tree(OLD, folder / "generated")
        return OLD
    for rel, data in CLONE.items():
        (folder / "generated" / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / "generated" / rel).write_bytes(data)
    return CLONE


@pytest.mark.parametrize("start", ["a previous build", "a folder from before manifests"])
def test_a_kill_at_any_step_leaves_the_old_or_the_new_build_and_the_next_build_finishes(tmp_path, start):
    steps = a_build(_fresh(tmp_path, "count", start)[0])
    assert len(steps) >= 20 and {"mkdir", "write_bytes", "replace", "rename", "unlink", "rmdir"} <= set(steps)
    missing = []
    for step in range(1, len(steps) + 1):
        out, old = _fresh(tmp_path, f"kill-{step}", start)
        assert len(a_build(out, step)) == step
        if os.path.lexists(out):
            assert output(out) in (old, NEW), step
        else:  # between the two renames: the old build waits beside it, whole, with its manifest
            (retired,) = [p for p in out.parent.iterdir() if p.name.startswith(".generated.old-")]
            assert output(retired) == old and manifest(old) == tree(retired)[MANIFEST], step
            missing.append(step)

        recover(out)  # what the next build does before anything else
        assert output(out) in (old, NEW) and os.listdir(out.parent) == ["generated"], step

        a_build(out)
        assert tree(out) == {**NEW, MANIFEST: manifest(NEW)}, step
        assert os.listdir(out.parent) == ["generated"], step
    assert len(missing) == 1


@pytest.mark.parametrize("start", ["a previous build", "a folder from before manifests"])
def test_a_build_killed_while_it_recovers_from_a_kill_is_recovered_too(tmp_path, start):
    steps, seen = len(a_build(_fresh(tmp_path, "count", start)[0])), set()
    for first in range(1, steps + 1):
        out, _ = _fresh(tmp_path, "first", start)
        a_build(out, first)
        state = _state(out.parent)
        if state in seen:  # the same files left as by an earlier step (other random names): nothing new to try
            continue
        seen.add(state)
        snapshot = tmp_path / "snapshot"
        shutil.copytree(out.parent, snapshot, symlinks=True)
        for second in range(1, len(a_build(out)) + 1):  # that many steps recovered and built
            shutil.rmtree(out.parent)
            shutil.copytree(snapshot, out.parent, symlinks=True)
            a_build(out, second)
            a_build(out)
            assert tree(out) == {**NEW, MANIFEST: manifest(NEW)}, (first, second)
            assert os.listdir(out.parent) == ["generated"], (first, second)
        shutil.rmtree(snapshot)
    assert len(seen) > 10


def _state(folder: Path) -> frozenset:
    """What `folder` holds, with the random part of dashgen's sibling names left out."""
    files = {(name.split("-")[0], rel, data) for name in os.listdir(folder) for rel, data in tree(folder / name).items()}
    folders = {(name.split("-")[0], os.path.relpath(parent, folder / name)) for name in os.listdir(folder)
               for parent, _, _ in os.walk(folder / name)}
    return frozenset(files | folders)


def _fresh(tmp_path: Path, name: str, start: str) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder / "generated", previous(folder, start)


# A real kill (SIGKILL: no handler runs) at three points of `dashgen build`, run as a process.
KILLER = """
import os, pathlib, signal, sys
when = sys.argv.pop(1)
rename, unlink, write_bytes = os.rename, os.unlink, pathlib.Path.write_bytes
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def renaming(src, dst, *args, **kwargs):
    if when == "between the renames" and os.path.basename(src).startswith(".generated.new-"):
        die()
    return rename(src, dst, *args, **kwargs)
def unlinking(path, *args, **kwargs):
    if when == "while removing the old build" and ".generated.old-" in str(path):
        die()
    return unlink(path, *args, **kwargs)
def writing(self, data):
    if when == "while writing the new build" and ".generated.new-" in str(self) and self.suffix == ".json":
        die()
    return write_bytes(self, data)
os.rename, os.unlink, pathlib.Path.write_bytes = renaming, unlinking, writing
from dashgen.cli.main import main
main()
"""


@pytest.mark.parametrize("when, left, message", [
    ("between the renames", None, "1 of 2 files changed, 1 removed"),
    ("while writing the new build", "old", "1 of 2 files changed, 1 removed"),
    ("while removing the old build", "new", "0 of 2 files changed, 0 removed"),
])
def test_a_build_killed_by_a_signal_is_recovered_by_the_next(project, cli, when, left, message):
    project.write("dashboards/simple.py", SIMPLE)
    project.write("dashboards/other.py", OTHER)
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    old = tree(generated)
    (project.root / "dashboards" / "other.py").unlink()
    project.write("dashboards/simple.py", SIMPLE.replace('"Up"', '"Up now"'))

    killed = subprocess.run([sys.executable, "-c", KILLER, when, "-C", str(project.root), "build"], capture_output=True)

    assert killed.returncode == -signal.SIGKILL
    leftovers = sorted(p.name.split("-")[0] for p in project.root.iterdir() if p.name.startswith(".generated."))
    if left is None:
        assert not os.path.lexists(generated) and leftovers == [".generated.new", ".generated.old"]
    else:
        assert leftovers == [f".generated.{'new' if left == 'old' else 'old'}"]
    new = None if left != "new" else tree(generated)

    project.write("dashboards/broken.py", "1 / 0\n")  # a failed build still puts the output back first
    assert build(cli, project)[0] == 2
    assert tree(generated) == (new or old)
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".generated.")] == []

    (project.root / "dashboards" / "broken.py").unlink()
    assert build(cli, project) == (0, f"built 1 dashboard in 1 folder into generated/: {message}\n", "")
    assert sorted(tree(generated)) == [*RECORD, "dashboards/Team/simple.json", PROVIDER]
    assert b"Up now" in tree(generated)["dashboards/Team/simple.json"]


def test_builds_into_one_folder_take_turns(tmp_path):
    """Otherwise one build's recovery would take another's staging folder for a leftover."""
    import fcntl
    import threading

    out = tmp_path / "generated"
    held = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a build writing there holds it
    writer = threading.Thread(target=write_tree, args=(NEW, out))
    writer.start()
    try:
        writer.join(0.5)
        assert writer.is_alive() and os.listdir(tmp_path) == []
    finally:
        os.close(held)
        writer.join(10)
    assert output(out) == NEW and os.listdir(tmp_path) == ["generated"]


def test_a_file_at_a_path_a_build_once_wrote_but_with_other_content_is_refused(project, cli):
    """The manifest lists the path, but what is there now is not what a build wrote: someone's."""
    project.write("dashboards/simple.py", SIMPLE)
    project.write("dashboards/other.py", SIMPLE.replace('"simple"', '"other"').replace('"Simple"', '"Other"'))
    assert build(cli, project)[0] == 0
    generated = project.root / "generated"
    (generated / "dashboards" / "Team" / "other.json").write_text('{"mine": true}\n')
    (project.root / "dashboards" / "other.py").unlink()
    code, _, err = build(cli, project)
    assert code == 2 and (generated / "dashboards" / "Team" / "other.json").read_text() == '{"mine": true}\n'
    assert err == (f"error: {generated}: the output folder holds 'dashboards/Team/other.json', which is not what a "
                   "build wrote there (its sha256 differs from .dashgen/manifest); move it away, then build again\n")
