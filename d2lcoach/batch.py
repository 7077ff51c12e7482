"""Instructor batch grading: a whole class's folders graded in warm sandboxes, resumably, into a gradebook.

`grade_roster` is the one entry point. A roster holds one folder per student with files named after
the exercise ids (`softmax.py`, ...). Every submission is graded by the same engine and sandbox as
`d2lcoach check`, with one seed for the whole batch, so a grade does not depend on `jobs` and equals
the grade of that file checked alone. Each worker thread owns one warm `Sandbox` (torch imported
once per worker); every submission still runs in its own freshly forked, sandboxed child.

REPORT_DIR receives:
- `journal.jsonl`: one JSON line per graded submission, appended (flushed and fsynced) as soon as it
  is graded, keyed by (student, exercise, sha256 of the file, grader version and digest, seed,
  devices, limits). A later run reuses every line whose key still matches; a torn last line from an
  interrupted run is dropped.
- `grades.csv`, `results.json` and `feedback/<student>.md`, each rewritten whole and atomically at the
  end of a run.
The core never prints; `on_result` reports each submission as it is settled.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from d2lcoach import __version__
from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.grading import engine
from d2lcoach.learner_text import clean
from d2lcoach.grading.engine import GRADER_VERSION, grade_source, new_seed, resolve_devices
from d2lcoach.grading.scoring import format_points as format_property_points
from d2lcoach.progress import write_atomically
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import LEVEL_TEXT, NAMESPACES, Limits, Sandbox, SandboxError, available_level
from d2lcoach.workspace import file_hash, read_submission

#: The version of results.json and of each journal line.
REPORT_VERSION = 1
JOURNAL_NAME = "journal.jsonl"
GRADES_NAME = "grades.csv"
RESULTS_NAME = "results.json"
FEEDBACK_DIRNAME = "feedback"
LOCK_NAME = ".d2lcoach-grade.lock"
MISSING = "missing"

#: Statuses of one (student, exercise) pair.
GRADED = "graded"  # went through the engine (its result may still be an error: crash, timeout, ...)
UNREADABLE = "unreadable"  # the file exists but could not be read as a submission (not UTF-8, > 1 MiB, ...)

_INTERNAL = "internal error while grading (not the submission's fault; run again to retry)"


# --------------------------------------------------------------------------- public shapes

@dataclasses.dataclass(frozen=True)
class SubmissionEvent:
    """One (student, exercise) pair settled: graded now, reused from the journal, or missing."""

    student: str
    exercise: str
    status: str  # "graded" | "reused" | "missing" | "unreadable"
    result: CheckResult | None  # None when missing
    done: int  # how many pairs are settled so far, this one included
    total: int  # how many pairs this run settles in all


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
    mean_seconds: float | None = None  # mean grading time of the submissions handed in

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "points": self.points, "passed": self.passed,
                "failed": self.failed, "timed_out": self.timed_out, "missing": self.missing,
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
    """Points earned: exercise.points * score, rounded to 2 decimals (0 when missing)."""
    if result is None:
        return 0.0
    return round(exercise.points * result.score, 2)


def verdict_of(status: str, result: CheckResult | None) -> str:
    """One word for a pair: missing, passed, timed out, error or failed."""
    if status == MISSING or result is None:
        return MISSING
    if result.passed:
        return "passed"
    if result.error and result.error.startswith("timed out"):
        return "timed out"
    if result.error:
        return "error"
    return "failed"


# --------------------------------------------------------------------------- inputs

def _check_inputs(roster: Path, out: Path) -> tuple[Path, Path]:
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


def _select_exercises(course: Course, ids: list[str] | None) -> list[Exercise]:
    if not ids:
        return list(course.exercises)
    wanted = set()
    for exercise_id in ids:
        wanted.add(course.get(exercise_id).id)  # UsageError for an unknown id
    return [e for e in course.exercises if e.id in wanted]


def _list_roster(roster: Path) -> tuple[list[tuple[str, Path]], list[str]]:
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


def _ignored_files(folder: Path, course: Course) -> list[str]:
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


def grader_digest(exercise: Exercise) -> str:
    """GRADER_VERSION plus a digest of everything of the course that decides this exercise's grades."""
    material = {
        "grader_version": GRADER_VERSION,
        "grader": exercise.grader_path.read_text(encoding="utf-8"),
        "reference": exercise.solution_path.read_text(encoding="utf-8"),
        "functions": list(exercise.functions),
        "forbidden": dataclasses.asdict(exercise.forbidden),
        "allowed_imports": list(exercise.allowed_imports),
        "time_limit": exercise.time_limit,
        "weights": exercise.weights,
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()
    return f"{GRADER_VERSION}:{digest[:16]}"


# --------------------------------------------------------------------------- the journal

def _key(student: str, exercise: str, sha: str, grader: str, seed: int, devices: list[str],
         limits: dict | None) -> str:
    return json.dumps([student, exercise, sha, grader, seed, list(devices), limits], sort_keys=True)


class Journal:
    """Append-only JSON lines, one per graded submission; each append is flushed and fsynced."""

    def __init__(self, path: Path):
        self.path = path
        self.lines_read = 0
        self.lines_dropped = 0

    def load(self) -> list[dict]:
        """Every well-formed entry, oldest first; a torn last line is cut off the file, bad lines skipped."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except IsADirectoryError:
            raise UsageError(f"{self.path}: is a folder, but the grading journal belongs here") from None
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot read the grading journal: {exc.strerror or exc}") from None
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a line torn by an interrupted write: drop it, so appends start clean
            self.lines_dropped += 1
            try:
                with open(self.path, "r+b") as handle:
                    handle.truncate(end)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise UsageError(f"{self.path}: cannot repair the grading journal: {exc.strerror or exc}") from None
        entries = []
        for raw in data[:end].splitlines():
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                CheckResult.from_record(entry["record"])
                if entry.get("version") != REPORT_VERSION or not isinstance(entry.get("key"), str):
                    raise ValueError("not a journal entry of this version")
            except (ValueError, KeyError, TypeError, AttributeError):
                self.lines_dropped += 1
                continue
            entries.append(entry)
        self.lines_read = len(entries)
        return entries

    def append(self, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            with open(self.path, "ab") as handle:
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot write the grading journal: {exc.strerror or exc}") from None


def _seed_from_report(out: Path, entries: list[dict]) -> int | None:
    try:
        data = json.loads((out / RESULTS_NAME).read_text(encoding="utf-8"))
        seed = data.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool):
            return seed
    except (OSError, ValueError, AttributeError):
        pass
    for entry in reversed(entries):  # an interrupted first run left a journal but no results.json
        seed = entry.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool):
            return seed
    return None


@contextlib.contextmanager
def _report_lock(out: Path):
    path = out / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"{path}: cannot open the report lock: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{out}: another `d2lcoach grade` is writing this report; "
                             "wait for it to finish") from None
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- grading

@dataclasses.dataclass
class _Pair:
    student: str
    exercise: Exercise
    path: Path
    relpath: str
    status: str = MISSING
    source: str | None = None
    sha: str | None = None
    key: str | None = None
    result: CheckResult | None = None


class _Pool:
    """`jobs` threads, each owning one warm Sandbox, grading pairs from a queue."""

    def __init__(self, pairs: list[_Pair], jobs: int, *, level: str, devices: list[str], seed: int,
                 limits: dict[str, Limits]):
        self.tasks: queue.Queue = queue.Queue()
        for pair in pairs:
            self.tasks.put(pair)
        self.done: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.devices, self.seed, self.limits = devices, seed, limits
        self.sandboxes = [Sandbox(level, cuda="cuda" in devices) for _ in range(jobs)]
        self.threads = [threading.Thread(target=self._work, args=(box,), daemon=True,
                                         name=f"d2lcoach-grade-{i}") for i, box in enumerate(self.sandboxes)]

    def start_workers(self):
        for box in self.sandboxes:  # the worker imports torch while the parent prepares references
            box.start()

    def start_threads(self):
        for thread in self.threads:
            thread.start()

    def _ready(self, box: Sandbox):
        # Wait for the worker's greeting before the first submission, so that its start-up is not
        # counted in that submission's time; a worker that cannot start is retried once.
        for attempt in (1, 2):
            try:
                box.start()
                box.wait_ready()
                return
            except SandboxError:
                box.close()
                if attempt == 2:
                    raise

    def _work(self, box: Sandbox):
        try:
            self._ready(box)
            while not self.stop.is_set():
                try:
                    pair = self.tasks.get_nowait()
                except queue.Empty:
                    break
                result, keep = self._grade(pair, box)
                if self.stop.is_set():
                    break  # the sandboxes are being closed: this result may be an artefact of that
                self.done.put(("result", pair, result, keep))
        except BaseException as exc:  # the sandbox itself failed: stop the batch, keep the journal
            if not self.stop.is_set():
                self.done.put(("fatal", exc, None, None))
            self.stop.set()
        finally:
            self.done.put(("exit", None, None, None))

    def _grade(self, pair: _Pair, box: Sandbox) -> tuple[CheckResult, bool]:
        exercise = pair.exercise
        for attempt in (1, 2):
            try:
                result = grade_source(exercise, pair.source, pair.relpath, sandbox=box, devices=self.devices,
                                      seed=self.seed, limits=self.limits.get(exercise.id))
                return result, True
            except SandboxError:
                box.close()
                if attempt == 2:
                    raise
            except Exception as exc:  # a bug of ours on this submission: record it, do not journal it
                box.close()  # the worker may be in an unknown state
                message = f"{_INTERNAL}: {type(exc).__name__}: {exc}".splitlines()[0][:500]
                return CheckResult(exercise=exercise.id, file=pair.relpath, error=message, seed=self.seed,
                                   isolation=box.level), False
        raise AssertionError("unreachable")

    def close(self):
        self.stop.set()
        for box in self.sandboxes:
            box.close()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(timeout=15)


def _warm_references(exercises: list[Exercise], seed: int):
    """Build each exercise's cases and reference answers once, in this thread, before the workers run."""
    for exercise in exercises:
        try:
            engine.prepare(exercise, seed)
        except Exception as exc:
            raise UsageError(f"{exercise.grader_path}: the grader or reference solution of {exercise.id!r} "
                             f"fails with seed {seed}: {type(exc).__name__}: {exc}".splitlines()[0]) from None


def grade_roster(roster: Path, out: Path, *, course: Course, jobs: int | None = None,
                 exercises: list[str] | None = None, seed: int | None = None,
                 devices: list[str] | None = None,
                 on_result: Callable[[SubmissionEvent], None] | None = None,
                 limits: dict[str, Limits] | None = None) -> BatchSummary:
    """Grade every student folder of `roster` into `out` (REPORT_DIR); return what was done.

    jobs: worker sandboxes (default: the cores available). exercises: ids to grade (default: all).
    seed: one seed for the whole batch (default: the one in REPORT_DIR, else a fresh one).
    devices: as `resolve_devices` returns (default: "all"). on_result: called in this thread once per
    (student, exercise) pair as it is settled. limits: per exercise id, sandbox limits that replace
    the exercise's own (for tests and special courses).
    Raises UsageError for bad input, SandboxError when the sandbox itself cannot run, and
    KeyboardInterrupt as it comes (everything graded so far stays in the journal).
    """
    started = time.perf_counter()
    roster, out = _check_inputs(roster, out)
    selected = _select_exercises(course, exercises)
    students, roster_ignored = _list_roster(roster)
    devices = list(devices) if devices else resolve_devices("all")
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    limits = dict(limits or {})
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the report folder: {exc.strerror or exc}") from None

    with _report_lock(out):
        journal = Journal(out / JOURNAL_NAME)
        entries = journal.load()
        if seed is None:
            seed = _seed_from_report(out, entries)
        seed = new_seed() if seed is None else int(seed)
        level = available_level()
        known = {entry["key"]: entry for entry in entries}
        digests = {e.id: grader_digest(e) for e in selected}

        pairs: list[_Pair] = []
        ignored: dict[str, list[str]] = {}
        for student, folder in students:
            ignored[student] = _ignored_files(folder, course)
            for exercise in selected:
                path = folder / exercise.filename
                pairs.append(_Pair(student, exercise, path, f"{student}/{exercise.filename}"))

        total = len(pairs)
        done = 0
        counts = {"graded": 0, "reused": 0, "missing": 0, "internal": 0}

        def settle(pair: _Pair, status: str):
            nonlocal done
            done += 1
            if on_result is not None:
                on_result(SubmissionEvent(pair.student, pair.exercise.id, status, pair.result, done, total))

        to_grade: list[_Pair] = []
        for pair in pairs:
            if not os.path.lexists(pair.path):
                pair.status = MISSING
                counts["missing"] += 1
                settle(pair, MISSING)
                continue
            try:
                pair.source = read_submission(pair.path)
            except UsageError as exc:
                text = str(exc)
                prefix = f"{pair.path}: "
                reason = text[len(prefix):] if text.startswith(prefix) else text
                pair.status = UNREADABLE
                pair.result = CheckResult(exercise=pair.exercise.id, file=pair.relpath,
                                          error=f"cannot read the file: {reason}", seed=seed, isolation=level)
                settle(pair, UNREADABLE)
                continue
            pair.status = GRADED
            pair.sha = file_hash(pair.source)
            limit = limits.get(pair.exercise.id)
            pair.key = _key(pair.student, pair.exercise.id, pair.sha, digests[pair.exercise.id], seed, devices,
                            dataclasses.asdict(limit) if limit is not None else None)
            entry = known.get(pair.key)
            if entry is not None:
                pair.result = CheckResult.from_record(entry["record"])
                pair.result.output = str(entry["record"].get("output", ""))
                counts["reused"] += 1
                settle(pair, "reused")
            else:
                to_grade.append(pair)

        workers = min(jobs, len(to_grade))
        if workers:
            pool = _Pool(to_grade, workers, level=level, devices=devices, seed=seed, limits=limits)
            pool.start_workers()
            try:
                _warm_references(sorted({p.exercise for p in to_grade}, key=lambda e: e.id), seed)
                pool.start_threads()
                running = workers
                while running:
                    try:
                        kind, pair, result, keep = pool.done.get(timeout=0.5)
                    except queue.Empty:
                        continue
                    if kind == "exit":
                        running -= 1
                    elif kind == "fatal":
                        raise pair
                    else:
                        pair.result = result
                        if keep:
                            record = result.to_record()
                            record["output"] = result.output
                            journal.append({"version": REPORT_VERSION, "key": pair.key, "student": pair.student,
                                            "exercise": pair.exercise.id, "sha256": pair.sha,
                                            "grader": digests[pair.exercise.id], "seed": seed,
                                            "devices": devices, "record": record})
                            counts["graded"] += 1
                        else:
                            counts["internal"] += 1
                        settle(pair, GRADED)
            finally:
                pool.close()
            leftover = [p for p in to_grade if p.result is None]
            if leftover:  # cannot happen unless a worker vanished; never report a pair as graded
                raise SandboxError(f"{len(leftover)} submission(s) were not graded; run again to finish")

        seconds = time.perf_counter() - started
        summary = BatchSummary(
            roster=roster, out=out, students=[s for s, _ in students],
            exercises=_exercise_summaries(selected, pairs), seed=seed, devices=devices, isolation=level,
            isolation_text=LEVEL_TEXT.get(level, level), warning=weak_sandbox_warning(level), jobs=jobs,
            graded=counts["graded"] + counts["internal"], reused=counts["reused"], missing=counts["missing"],
            internal_errors=counts["internal"], ignored=ignored, roster_ignored=roster_ignored, seconds=seconds,
            grades_csv=out / GRADES_NAME, results_json=out / RESULTS_NAME,
            feedback_dir=out / FEEDBACK_DIRNAME, journal=journal.path)
        _write_report(summary, course, selected, pairs, digests)
        return summary


def _exercise_summaries(selected: list[Exercise], pairs: list[_Pair]) -> list[ExerciseSummary]:
    summaries = []
    for exercise in selected:
        summary = ExerciseSummary(exercise.id, exercise.title, exercise.points)
        times = []
        for pair in pairs:
            if pair.exercise.id != exercise.id:
                continue
            verdict = verdict_of(pair.status, pair.result)
            if verdict == MISSING:
                summary.missing += 1
                continue
            if pair.status == GRADED:
                times.append(pair.result.seconds)
            if verdict == "passed":
                summary.passed += 1
            elif verdict == "timed out":
                summary.timed_out += 1
            else:
                summary.failed += 1
        summary.mean_seconds = sum(times) / len(times) if times else None
        summaries.append(summary)
    return summaries


# --------------------------------------------------------------------------- the report

def _by_student(pairs: list[_Pair]) -> dict[str, dict[str, _Pair]]:
    table: dict[str, dict[str, _Pair]] = {}
    for pair in pairs:
        table.setdefault(pair.student, {})[pair.exercise.id] = pair
    return table


def grades_csv_text(students: list[str], selected: list[Exercise], pairs: list[_Pair]) -> str:
    table = _by_student(pairs)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *[e.id for e in selected], "total", "max_total"])
    max_total = round(sum(e.points for e in selected), 2)
    for student in students:
        row = [student]
        total = 0.0
        for exercise in selected:
            earned = points_for(exercise, table[student][exercise.id].result)
            total += earned
            row.append(format_points(earned))
        row += [format_points(round(total, 2)), format_points(max_total)]
        writer.writerow(row)
    return buffer.getvalue()


def _pair_json(pair: _Pair) -> dict:
    exercise, result = pair.exercise, pair.result
    if pair.status == MISSING:
        return {"status": MISSING, "file": None, "sha256": None, "points": 0.0, "max_points": exercise.points,
                "score": 0.0, "passed": False, "verdict": MISSING, "error": MISSING, "zero_score": False,
                "checks": [], "seconds": 0.0, "output": ""}
    return {"status": pair.status, "file": pair.relpath, "sha256": pair.sha,
            "points": points_for(exercise, result), "max_points": exercise.points, "score": result.score,
            "passed": result.passed, "verdict": verdict_of(pair.status, result), "error": result.error,
            "zero_score": result.zero_score, "checks": [c.to_json() for c in result.checks],
            "seconds": round(result.seconds, 4), "output": result.output}


def results_document(summary: BatchSummary, course: Course, selected: list[Exercise], pairs: list[_Pair],
                     digests: dict[str, str]) -> dict:
    table = _by_student(pairs)
    students = {}
    for student in summary.students:
        row = {e.id: _pair_json(table[student][e.id]) for e in selected}
        students[student] = {
            "total": round(sum(r["points"] for r in row.values()), 2),
            "max_total": round(sum(e.points for e in selected), 2),
            "ignored": summary.ignored.get(student, []),
            "exercises": row,
        }
    return {
        "version": REPORT_VERSION,
        "managed_by": "d2lcoach grade: rewritten whole on every run; the journal beside it keeps each grade",
        "d2lcoach_version": __version__,
        "grader_version": GRADER_VERSION,
        "course": course.title,
        "roster": str(summary.roster),
        "isolation": summary.isolation,
        "isolation_text": summary.isolation_text,
        "warning": summary.warning,
        "seed": summary.seed,
        "devices": summary.devices,
        "jobs": summary.jobs,
        "graded": summary.graded,
        "reused": summary.reused,
        "seconds": round(summary.seconds, 3),
        "finished_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exercises": [{"id": e.id, "title": e.title, "points": e.points, "time_limit": e.time_limit,
                       "grader": digests[e.id]} for e in selected],
        "summary": [s.to_json() for s in summary.exercises],
        "roster_ignored": summary.roster_ignored,
        "students": students,
    }


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _block(text: str) -> list[str]:
    fence = _fence(text)
    return [fence + "text", text.rstrip("\n"), fence]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def feedback_markdown(student: str, course: Course, selected: list[Exercise], row: dict[str, _Pair],
                      ignored: list[str], summary: BatchSummary) -> str:
    """One student's feedback: per exercise the points, the verdict and the messages `check` shows."""
    total = round(sum(points_for(e, row[e.id].result) for e in selected), 2)
    max_total = round(sum(e.points for e in selected), 2)
    lines = [f"# Feedback for {student}", "", f"{course.title}", "",
             f"**Total: {format_points(total)} / {format_points(max_total)} points**", "",
             "| exercise | points | result |", "|---|---|---|"]
    for e in selected:
        pair = row[e.id]
        lines.append(f"| {e.id} | {format_points(points_for(e, pair.result))} / {format_points(e.points)} "
                     f"| {verdict_of(pair.status, pair.result)} |")
    for e in selected:
        pair = row[e.id]
        result = pair.result
        earned = points_for(e, result)
        lines += ["", f"## {e.id}: {e.title} (D2L {e.section})", "",
                  f"**{format_points(earned)} / {format_points(e.points)} points: "
                  f"{verdict_of(pair.status, result)}**", ""]
        if pair.status == MISSING:
            lines.append(f"No `{e.filename}` was handed in.")
            continue
        if result.error:
            lines.append("The submission could not be graded:")
            lines.append("")
            lines += _block(result.error)
        if result.checks:
            if result.error:
                lines.append("")
            lines += ["| check | device | result |", "|---|---|---|"]
            lines += [f"| {_cell(c.name)} | {c.device} | {'pass' if c.passed else 'FAIL'} |" for c in result.checks]
            if result.properties and not result.error:
                lines += ["", "Points by property (earned/weight): " + format_property_points(result.properties)]
        if result.zero_score:
            lines += ["", "A forbidden routine or import scores 0 for the whole exercise."]
        shown = set()
        failures = [c for c in result.failures() if not (c.message in shown or shown.add(c.message))]
        if failures:
            lines += ["", "### What to fix"]
            for check in failures:
                lines += ["", f"**{_cell(check.name)}** ({check.device})", ""]
                lines += _block(check.message)
        if result.output.strip():
            lines += ["", "### Your code printed", ""]
            lines += _block(result.output.strip())
    if ignored:
        lines += ["", "## Files not graded", "", "These files are not exercises of this course:", ""]
        lines += [f"- `{name}`" for name in ignored]
    lines += ["", "---", "",
              f"Graded by d2lcoach {__version__} (grader version {GRADER_VERSION}) with seed {summary.seed} "
              f"on {', '.join(summary.devices)}, in the {summary.isolation} sandbox. "
              f"Reproduce one grade with `d2lcoach check --seed {summary.seed}`.", ""]
    return clean("\n".join(lines))  # again here: a journal from an older grader may hold raw escapes


def _write_report(summary: BatchSummary, course: Course, selected: list[Exercise], pairs: list[_Pair],
                  digests: dict[str, str]):
    feedback = summary.feedback_dir
    try:
        if feedback.exists() and not feedback.is_dir():
            raise UsageError(f"{feedback}: is a file, but the feedback folder belongs here")
        feedback.mkdir(exist_ok=True)
        table = _by_student(pairs)
        for student in summary.students:
            write_atomically(feedback / f"{student}.md",
                             feedback_markdown(student, course, selected, table[student],
                                               summary.ignored.get(student, []), summary))
        write_atomically(summary.grades_csv, grades_csv_text(summary.students, selected, pairs))
        document = results_document(summary, course, selected, pairs, digests)
        write_atomically(summary.results_json, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageError(f"{summary.out}: cannot write the report: {exc.strerror or exc}") from None
