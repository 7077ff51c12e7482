"""The shapes of batch grading: statuses, one (student, exercise) pair, the events and the run's summary."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from d2lcoach.instructor.batch.roster import FileNote
from d2lcoach.course import Exercise
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import LEVEL_TEXT, NAMESPACES

#: The version of results.json and of each journal line.
REPORT_VERSION = 1
JOURNAL_NAME = "journal.jsonl"
GRADES_NAME = "grades.csv"
RESULTS_NAME = "results.json"
FEEDBACK_DIRNAME = "feedback"
LOCK_NAME = ".d2lcoach-grade.lock"

#: Statuses of one (student, exercise) pair.
MISSING = "missing"  # no file was handed in
GRADED = "graded"  # went through the engine (its result may still be an error: crash, timeout, ...)
REUSED = "reused"  # the journal already held the grade of this very file
UNREADABLE = "unreadable"  # the file exists but could not be read as a submission (not UTF-8, > 1 MiB, ...)
# Only in a partial regrade (`-e`), for the report's other columns, which this run does not grade:
CARRIED = "carried"  # the journal's last grade of this student's exercise, though the file or grader changed
NOT_GRADED = "not graded"  # a file is there, but no run has graded it yet


@dataclasses.dataclass(frozen=True)
class SubmissionEvent:
    """One (student, exercise) pair settled: graded now, reused from the journal, or missing."""

    student: str
    exercise: str
    status: str  # "graded" | "reused" | "missing" | "unreadable" | "carried" | "not graded"
    result: CheckResult | None  # None when missing or not graded
    done: int  # how many pairs are settled so far, this one included
    total: int  # how many pairs this run settles in all


@dataclasses.dataclass
class Pair:
    """One (student, exercise) cell of the gradebook, as the run fills it in."""

    student: str
    exercise: Exercise
    path: Path | None  # the file graded for this exercise, None when none was found
    relpath: str  # path relative to the roster, e.g. "alice/softmax.py"
    status: str = MISSING
    source: str | None = None
    sha: str | None = None
    key: str | None = None
    result: CheckResult | None = None

    @property
    def label(self) -> str:
        """How the progress bar names this submission: student/exercise."""
        return f"{self.student}/{self.exercise.id}"


@dataclasses.dataclass
class ExerciseSummary:
    """Per exercise counts over the class: passed, failed (errors included), timed out, missing."""

    id: str
    title: str
    points: float
    passed: int = 0
    failed: int = 0
    timed_out: int = 0
    missing: int = 0
    not_graded: int = 0  # handed in, but not graded yet (a partial regrade's other columns)
    mean_seconds: float | None = None  # mean grading time of the submissions handed in

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "points": self.points, "passed": self.passed,
                "failed": self.failed, "timed_out": self.timed_out, "missing": self.missing,
                "not_graded": self.not_graded,
                "mean_seconds": None if self.mean_seconds is None else round(self.mean_seconds, 4)}


@dataclasses.dataclass
class BatchSummary:
    """What one `grade_roster` run did and where it wrote the report."""

    roster: Path
    out: Path
    students: list[str]
    exercises: list[ExerciseSummary]
    seed: int
    devices: list[str]
    isolation: str
    isolation_text: str
    warning: str | None  # set, loudly worded, when the sandbox is weaker than namespaces
    jobs: int
    graded: int  # graded by this run
    reused: int  # taken from the journal of an earlier run
    missing: int
    internal_errors: int  # submissions the tool itself failed on (recorded, not journaled)
    ignored: dict[str, list[str]]  # per student: files that are not exercises
    file_notes: list[FileNote]  # misnamed files: graded with a note, or not graded with "did you mean"
    carried: list[str]  # exercises of the report this run did not regrade (a partial regrade, -e)
    roster_ignored: list[str]  # files at the top of the roster (not student folders)
    seconds: float
    grades_csv: Path
    results_json: Path
    feedback_dir: Path
    journal: Path

    def to_json(self) -> dict:
        return {
            "roster": str(self.roster), "out": str(self.out), "students": len(self.students),
            "exercises": [e.to_json() for e in self.exercises], "seed": self.seed, "devices": self.devices,
            "isolation": self.isolation, "warning": self.warning, "jobs": self.jobs, "graded": self.graded,
            "reused": self.reused, "missing": self.missing, "internal_errors": self.internal_errors,
            "carried": self.carried, "file_notes": [dict(n.to_json(), student=n.student) for n in self.file_notes],
            "seconds": round(self.seconds, 3), "grades_csv": str(self.grades_csv),
            "results_json": str(self.results_json), "feedback_dir": str(self.feedback_dir),
            "journal": str(self.journal),
        }


def weak_sandbox_warning(level: str) -> str | None:
    """The loud warning for a batch graded without the namespace sandbox, or None."""
    if level == NAMESPACES:
        return None
    return (f"WARNING: learner code ran without the namespace sandbox, in {LEVEL_TEXT.get(level, level)}. "
            "Submissions could read files and use the network that the namespace sandbox would hide; "
            "install bubblewrap (bwrap) with user namespaces enabled before grading untrusted code.")


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def format_points(value: float) -> str:
    """Points as the gradebook shows them: at most 2 decimals, no trailing zeros (10, 7.5, 6.67)."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def points_for(exercise: Exercise, result: CheckResult | None) -> float:
    """Points earned: exercise.points * score, rounded to 2 decimals (0 toward a total when missing)."""
    if result is None:
        return 0.0
    return round(exercise.points * result.score, 2)


def verdict_of(status: str, result: CheckResult | None) -> str:
    """One word for a pair: missing, not graded, passed, timed out, error or failed."""
    if status == NOT_GRADED:
        return NOT_GRADED
    if status == MISSING or result is None:
        return MISSING
    if result.passed:
        return "passed"
    if result.error and result.error.startswith("timed out"):
        return "timed out"
    if result.error:
        return "error"
    return "failed"
