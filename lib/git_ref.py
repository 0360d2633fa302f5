"""The dashboards a git commit holds, for `dashgen diff --against REF`.

They are read from the commit's generated/ (the build that was reviewed and merged, kept fresh by
`dashgen build --check` in CI), not rebuilt: rebuilding an old commit would need the dashgen and
grafanalib of that time. Everything is read with two git processes, whatever the number of files.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from dashgen.build import DASHBOARDS_DIR
from dashgen.errors import InputError
from dashgen.project import Project


@dataclass(frozen=True)
class CommittedDashboard:
    folder: str
    path: str  # in the repository, for messages
    model: dict


def dashboards_at(project: Project, ref: str) -> dict[str, CommittedDashboard]:
    """uid -> the dashboard generated/ held at `ref`; empty where that commit had no generated/."""
    import orjson

    try:
        prefix = _git(project, "rev-parse", "--show-prefix").strip()
    except InputError:
        raise InputError(None, f"--against compares with a git commit, but {project.root} is not in a git repository") from None
    commit = _commit(project, ref)
    folder = f"{prefix}{project.generated_dir.name}/{DASHBOARDS_DIR}/"
    listed = _git(project, "ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", folder)
    paths = sorted(p for p in listed.split("\0") if p.endswith(".json"))
    found = {}
    for path, content in zip(paths, _blobs(project, commit, paths)):
        try:
            model = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            raise InputError(None, f"{ref}:{path} is not valid JSON ({exc})") from None
        parts = path[len(folder):].split("/")
        uid = model.get("uid") if isinstance(model, dict) else None
        if len(parts) != 2 or not isinstance(uid, str):
            raise InputError(None, f"{ref}:{path} is not a dashboard dashgen generated")
        found[uid] = CommittedDashboard(parts[0], path, model)
    return found


def _commit(project: Project, ref: str) -> str:
    if ref.startswith("-"):
        raise InputError(None, f"--against {ref!r} is not a git ref")
    try:
        return _git(project, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except InputError:
        raise InputError(None, f"--against {ref!r}: no such commit, branch or tag in {project.root}") from None


def _blobs(project: Project, commit: str, paths: list[str]) -> list[bytes]:
    """The contents of `paths` at `commit`, through one `git cat-file --batch`."""
    if not paths:
        return []
    request = "".join(f"{commit}:{p}\n" for p in paths).encode()
    out = _run(project, ["cat-file", "--batch"], request)
    blobs, at = [], 0
    for _ in paths:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        blobs.append(out[header_end + 1:header_end + 1 + size])
        at = header_end + 1 + size + 1  # the content is followed by a newline
    return blobs


def _git(project: Project, *args: str) -> str:
    return _run(project, list(args)).decode()


def _run(project: Project, args: list[str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(project.root), *args], input=stdin, capture_output=True)
    except FileNotFoundError:
        raise InputError(None, "--against needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(None, f"git {args[0]}: {message[-1] if message else f'exit {done.returncode}'}")
    return done.stdout
