"""What every command needs from the group's options: the project."""

from __future__ import annotations

import dataclasses

from dashgen.project import Project, find_project


def project_of(obj: dict) -> Project:
    project = find_project(obj.get("project_dir"))
    return project if obj.get("cache", True) else dataclasses.replace(project, cache=False)
