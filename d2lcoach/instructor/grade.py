"""`grade_class`: what `d2lcoach grade` does, as one function: roster or LMS export in, report and gradebooks out.

Reads the source (a roster folder, or a Canvas, Moodle or GitHub Classroom download as a folder or a
.zip), grades every submission in the sandbox (the local warm pool, a given executor, or the Dask
cluster at `scheduler`), writes the report (grades.csv, results.json, feedback/), and for an LMS export
the students' identities, a note in each feedback file on where its grades came from, and the
gradebook asked for. It never prints: the CLI renders what it returns, and so can a notebook.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Callable

from d2lcoach.course import Course
from d2lcoach.errors import UsageError
from d2lcoach.text import clean


@dataclasses.dataclass
class ClassGrade:
    """What grade_class did. `summary` is the batch's (the table, the counts, the report's paths)."""
    summary: object  # d2lcoach.instructor.batch.BatchSummary
    export_format: str  # "roster", "canvas", "moodle", "github-classroom", ...
    students_found: int  # the students of the export
    converted: bool  # the source was an LMS export, made into a roster first
    gradebooks: list[Path]  # the LMS gradebooks written beside grades.csv (none for fmt="csv")
    unplaced: list[str]  # files of the export that no exercise was graded from
    cluster_status: str | None = None  # the Dask cluster's workers, when it graded there

    def to_json(self) -> dict:
        document = self.summary.to_json()
        document.update({"format": self.export_format, "gradebooks": [str(p) for p in self.gradebooks],
                         "unplaced": self.unplaced})
        return document


def connect_cluster(address: str, devices: list[str], jobs: int | None = None):
    """The Dask executor for the scheduler at `address`; Dask is imported only here."""
    if jobs is not None:
        raise UsageError("--jobs sets the local pool; with --scheduler each Dask worker grades with its own threads")
    try:
        from d2lcoach.instructor.batch.dask_executor import DaskExecutor
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'd2lcoach[cluster]'") from None
    return DaskExecutor.connect(address, devices)


def grade_class(source: Path, out: Path, *, fmt: str = "csv", exercises: list[str] | None = None,
                executor=None, scheduler: str | None = None, jobs: int | None = None, seed: int | None = None,
                devices: list[str] | str = "all", per_exercise: bool = False, assignment: list[str] | None = None,
                course: Course | None = None,
                on_start: Callable[[object, str | None], None] | None = None,
                on_result: Callable | None = None, on_running: Callable[[list[str]], None] | None = None
                ) -> ClassGrade:
    """Grade a whole class from `source` into `out` (REPORT_DIR) and write its gradebooks; return what was done.

    fmt: the gradebook beside grades.csv ("csv", "canvas" or "moodle"). exercises: ids to grade (default:
    all). executor: where the grading runs (default: the local warm pool of `jobs` sandboxes); scheduler:
    the address of a Dask scheduler to grade on instead (connected here, after the source was read, and
    closed at the end). devices: a list as `resolve_devices` returns, or its argument ("all", "cpu", ...).
    per_exercise, assignment: the LMS gradebook's columns, as `--per-exercise` and `--assignment` give them.
    course: default the built-in course. on_start(executor, warning): called once the source is read,
    just before the grading, with the executor in use (None: the local pool) and the weak-sandbox
    warning, if any. on_result, on_running: as for `batch.grade_roster`.
    Raises UsageError for bad input, SandboxError when the sandbox cannot run, KeyboardInterrupt as it
    comes (what was graded is kept in the journal).
    """
    from d2lcoach.course import load_course
    from d2lcoach.grading.engine import resolve_devices
    from d2lcoach.instructor.batch import grade_roster, weak_sandbox_warning
    from d2lcoach.instructor.gradebook import GRADEBOOK_FORMATS, assignment_names
    from d2lcoach.instructor.lms import prepare_roster
    from d2lcoach.sandbox import available_level

    course = course or load_course()
    devices = resolve_devices(devices) if isinstance(devices, str) else list(devices)
    if fmt not in GRADEBOOK_FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; choose one of: {', '.join(GRADEBOOK_FORMATS)}")
    columns = assignment_names(assignment or [], [e.id for e in course.exercises])
    status = None
    with tempfile.TemporaryDirectory(prefix="d2lcoach-export-") as scratch:
        prepared = prepare_roster(source, course, Path(scratch))  # an LMS export becomes a roster
        own = executor is None and scheduler is not None
        if own:  # connected before anything is written, so a bad address leaves no trace
            executor = connect_cluster(scheduler, devices, jobs)
        try:
            if on_start is not None:
                on_start(executor, weak_sandbox_warning(executor.level if executor else available_level()))
            summary = grade_roster(prepared.roster, out, course=course, jobs=jobs, exercises=exercises or None,
                                   seed=seed, devices=devices, on_result=on_result, on_running=on_running,
                                   executor=executor)
        finally:
            if own:
                executor.close()
        if executor is not None and hasattr(executor, "status_text"):
            status = executor.status_text()
    written = write_gradebooks(out, prepared, fmt, per_exercise, columns)
    return ClassGrade(summary=summary, export_format=prepared.export.format,
                      students_found=len(prepared.export.students),
                      converted=prepared.export.format != "roster" or bool(prepared.placements),
                      gradebooks=written, unplaced=unplaced_files(prepared), cluster_status=status)


def unplaced_files(prepared) -> list[str]:
    """Files of an export that no exercise was graded from, named with their student."""
    lines = [f"{name} (belongs to no student)" for name in prepared.export.unplaced] + prepared.export.set_aside
    placements = prepared.placements or []
    common = Counter(name for p in placements for name in set(p.unplaced) if name not in p.explained)
    common = {name: count for name, count in common.items() if count > 1}  # README.md in every repository
    for placement in placements:
        lines += [f"{placement.student.key}: {line.replace('`', '')}" for name, line
                  in zip(placement.unplaced, placement.unplaced_lines()) if name not in common]
    lines += [f"{name}: in {count} students' submissions, no exercise of this course"
              for name, count in sorted(common.items())]
    return lines


def _note_in_feedback(path: Path, placement) -> None:
    """Say in a student's feedback which file each grade came from, and which files were not graded."""
    from d2lcoach.learner.progress import write_atomically
    if not path.is_file():
        return
    student = placement.student
    text = path.read_text(encoding="utf-8")
    heading = f"# Feedback for {clean(student.key, one_line=True)}\n"
    if student.name and text.startswith(heading):  # the name as the LMS has it, not the roster folder's
        text = f"# Feedback for {clean(student.name, one_line=True)}\n" + text[len(heading):]
    notes = (["handed in late (the LMS marked it so)"] if student.late else []) + placement.notes
    lines = [f"- {note}" for note in notes]
    lines += [f"- {line}" for line in placement.unplaced_lines()]
    if lines:
        text = text.rstrip("\n") + "\n\n## Where your grades came from\n\n" + "\n".join(lines) + "\n"
    write_atomically(path, text)


def write_gradebooks(out: Path, prepared, fmt: str, per_exercise: bool = False,
                     assignment: dict[str, str] | None = None) -> list[Path]:
    """students.json (the LMS ids) for a converted export, and the LMS gradebooks asked for."""
    from d2lcoach.instructor.gradebook import gradebooks
    from d2lcoach.instructor.lms import IDENTITIES_NAME, identities_document
    from d2lcoach.learner.progress import write_atomically
    identities = None
    written = []
    if prepared.placements is not None:
        identities = identities_document(prepared.export, prepared.placements)
        write_atomically(out / IDENTITIES_NAME, json.dumps(identities, indent=2) + "\n")
        for placement in prepared.placements:
            _note_in_feedback(out / "feedback" / f"{placement.student.key}.md", placement)
        from d2lcoach.instructor.feedback_upload import write_feedback_upload
        upload = write_feedback_upload(out, prepared.export, prepared.placements)
        written += [upload] if upload is not None else []
    if fmt != "csv":
        for book in gradebooks(fmt, out, identities, per_exercise=per_exercise, assignment=assignment):
            write_atomically(out / book.name, book.text)
            written.append(out / book.name)
    return written
