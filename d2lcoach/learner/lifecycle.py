"""A workspace's life outside the learner's loop: `init` creates one, `progress rebuild` recovers its
progress file (broken or deleted) from the exercise files by checking them."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.learner.progress import IN_PROGRESS, PROGRESS_FILENAME, Progress, save_progress, update_progress
from d2lcoach.results import CheckResult
from d2lcoach.learner.workspace import Workspace, find_workspace


def init_workspace(root: Path) -> tuple[Workspace, bool]:
    """Make `root` a workspace: create the folder and an empty progress file. Returns (workspace, created);
    an existing workspace is left as it is. A folder inside another workspace is refused: the
    search upward would no longer find the outer one from there."""
    workspace = Workspace(root=Path(root).expanduser().absolute())
    if os.path.lexists(workspace.progress_path):
        return workspace, False
    if workspace.root.exists() and not workspace.root.is_dir():
        raise UsageError(f"{workspace.root}: is not a folder; a workspace must be a folder")
    outer = find_workspace(workspace.root.parent)
    if outer is not None and (outer / PROGRESS_FILENAME).exists():
        raise UsageError(f"{workspace.root} is inside the workspace {outer}; work there "
                         "(a workspace inside another would hide it from its subfolders)")
    workspace.ensure_exists()
    with update_progress(workspace.progress_path):
        pass  # writes the empty progress file, under the lock
    return workspace, True


@dataclasses.dataclass
class Rebuilt:
    """What `rebuild_progress` did: where the old file went, and each exercise file's check."""

    backup: Path | None
    rows: list[tuple[Exercise, Path, CheckResult | None, str | None]]
    current: str | None

    @property
    def passed(self) -> list[str]:
        return [exercise.id for exercise, _, result, _ in self.rows if result is not None and result.passed]


def rebuild_progress(course: Course, workspace: Workspace, *, devices: list[str], seed: int | None) -> Rebuilt:
    """Keep a backup of the progress file (broken or not), start a new one, and check every exercise
    file of the workspace into it: what passes is passed again, the rest is in progress.

    Attempts and hints shown cannot be recovered; each file counts one check. The current exercise
    is the first one (in course order) whose file did not pass.
    """
    from d2lcoach.learner import tutor
    path = workspace.progress_path
    if not workspace.root.is_dir():
        raise UsageError(f"{workspace.root}: no such folder; `d2lcoach init` creates a workspace")
    backup = None
    if os.path.lexists(path):
        if path.is_dir():
            raise UsageError(f"{path}: is a folder, but the progress file belongs here; move it away first")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
        backup = workspace.keep_backup("d2lcoach-progress", data, suffix=".yaml")
    save_progress(path, Progress())
    present = any(workspace.exercise_file(e).exists() for e in course.exercises)
    rows = tutor.check_all(course, workspace, devices=devices, seed=seed) if present else []
    current = next((e.id for e, _, result, _ in rows if result is None or not result.passed), None)
    with update_progress(path) as progress:
        for exercise, _, result, _ in rows:
            if result is None:  # an unreadable file still counts as started
                progress.for_exercise(exercise.id).status = IN_PROGRESS
        progress.current = current
    return Rebuilt(backup, rows, current)


def unrecorded_work(course: Course, workspace: Workspace) -> list[Exercise]:
    """With no progress file, the exercises whose files differ from their stubs: work that a
    rebuild would check (and may find passing). Nothing is graded here."""
    if os.path.lexists(workspace.progress_path):
        return []
    found = []
    for exercise in course.exercises:
        target = workspace.exercise_file(exercise)
        try:
            if target.read_bytes() != exercise.stub_path.read_bytes():
                found.append(exercise)
        except OSError:
            continue
    return found

