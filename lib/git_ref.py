"""What a git commit's generated/ holds, for `dashgen diff --against REF`.

The old side of the diff is read from the commit's generated/ (the build that was reviewed and
merged, kept fresh by `dashgen build --check` in CI), not rebuilt: rebuilding an old commit would
need the dashgen and grafanalib of that time. However many files there are, git runs four times:
to find the project in the repository, to resolve the ref, to list the files and to read them all.
"""

from __future__ import annotations

import subprocess

from dashgen.errors import InputError
from dashgen.project import Project


def generated_at(project: Project, ref: str) -> dict[str, bytes]:
    """Path under generated/ -> content of every file generated/ held at `ref`; empty where that
    commit had no generated/."""
    try:
        prefix = _git(project, "rev-parse", "--show-prefix").strip()
    except InputError as exc:  # not a repository, or one git refuses to read (another owner's checkout)
        raise InputError(None, f"--against compares with a git commit, and git cannot read a repository at "
                               f"{project.root} ({exc.message.split(': ', 1)[-1]})") from None
    commit = _commit(project, ref)
    folder = f"{prefix}{project.generated_dir.name}/"
    listed = _git(project, "ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", folder, where=ref)
    paths = sorted(p for p in listed.split("\0") if p)
    return {path[len(folder):]: content for path, content in zip(paths, _blobs(project, ref, commit, paths))}


def _commit(project: Project, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise InputError(None, f"--against {ref!r} is not a git ref")
    try:
        return _git(project, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except InputError:
        raise InputError(None, f"--against {ref!r}: no such commit, branch or tag in {project.root}") from None


def _blobs(project: Project, ref: str, commit: str, paths: list[str]) -> list[bytes]:
    """The contents of `paths` at `commit`, through one `git cat-file --batch`: each answer is a
    header line "<object> <type> <size>" (or "<name> missing"), the content, and a newline."""
    if not paths:
        return []
    out = _run(project, ["cat-file", "--batch"], "".join(f"{commit}:{p}\n" for p in paths).encode())
    blobs, at = [], 0
    for path in paths:
        end = out.find(b"\n", at)
        header = out[at:end].split() if end >= 0 else []
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            raise InputError(None, f"{ref}:{path} is not a file (a submodule?)")
        size = int(header[2])
        blobs.append(out[end + 1:end + 1 + size])
        at = end + 1 + size + 1
    return blobs


def _git(project: Project, *args: str, where: str = "") -> str:
    out = _run(project, list(args))
    try:
        return out.decode()
    except UnicodeDecodeError:
        raise InputError(None, f"generated/ at {where or 'the commit'} holds a file name that is not UTF-8") from None


def _run(project: Project, args: list[str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(project.root), *args], input=stdin, capture_output=True)
    except FileNotFoundError:
        raise InputError(None, "--against needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(None, f"git {args[0]}: {message[-1] if message else f'exit {done.returncode}'}")
    return done.stdout
