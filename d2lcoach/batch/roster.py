"""Reading the roster: the inputs checked, the exercises chosen, one folder per student listed."""

from __future__ import annotations

from pathlib import Path

from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError


def check_inputs(roster: Path, out: Path) -> tuple[Path, Path]:
    """The roster and report folders as absolute paths; UsageError when they cannot be used."""
    roster = Path(roster).expanduser().absolute()
    out = Path(out).expanduser().absolute()
    if not roster.exists():
        raise UsageError(f"{roster}: roster folder not found")
    if not roster.is_dir():
        raise UsageError(f"{roster}: is not a folder; a roster is a folder with one folder per student")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; REPORT_DIR must be a folder (it is created if missing)")
    real_roster, real_out = roster.resolve(), out.resolve()
    if real_out == real_roster or real_roster in real_out.parents:
        raise UsageError(f"{out}: REPORT_DIR must not be inside the roster {roster}; choose a folder beside it")
    return roster, out


def select_exercises(course: Course, ids: list[str] | None) -> list[Exercise]:
    """The exercises asked for, in course order (all of them when none are named)."""
    if not ids:
        return list(course.exercises)
    wanted = set()
    for exercise_id in ids:
        wanted.add(course.get(exercise_id).id)  # UsageError for an unknown id
    return [e for e in course.exercises if e.id in wanted]


def list_roster(roster: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """(student, folder) for each student folder, sorted, and the loose files at the roster's top."""
    students, loose = [], []
    try:
        entries = sorted(roster.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise UsageError(f"{roster}: cannot list the roster: {exc.strerror or exc}") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            students.append((entry.name, entry))
        else:
            loose.append(entry.name)
    if not students:
        raise UsageError(f"{roster}: holds no student folders; a roster has one folder per student, "
                         "each holding files such as softmax.py")
    return students, loose


def ignored_files(folder: Path, course: Course) -> list[str]:
    """The names in a student folder that are not exercise files (folders end with /)."""
    exercise_files = {e.filename for e in course.exercises}
    ignored = []
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        return [f"(cannot list the folder: {exc.strerror or exc})"]
    for entry in entries:
        if entry.name in exercise_files:
            continue
        ignored.append(entry.name + ("/" if entry.is_dir() else ""))
    return ignored
