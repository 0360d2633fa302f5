"""What every command needs from the group's options: the project."""

from __future__ import annotations

from dashgen.project import Project, find_project


def project_of(obj: dict) -> Project:
    return find_project(obj.get("project_dir"))
