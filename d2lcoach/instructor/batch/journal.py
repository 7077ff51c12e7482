"""The grading journal: one JSON line per graded submission, so that a rerun grades only what changed.

Each line is keyed by (student, exercise, sha256 of the file, grader version and digest, devices,
limits), records the seed it was graded with, and is appended, flushed and fsynced as soon as the
submission is graded. A torn last line from an interrupted run is cut off. The report lock keeps
two runs from writing one report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from pathlib import Path

from filelock import FileLock, Timeout

from d2lcoach.instructor.batch.model import LOCK_NAME, REPORT_VERSION, RESULTS_NAME
from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError
from d2lcoach.grading.version import GRADER_VERSION
from d2lcoach.results import CheckResult


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


def journal_key(student: str, exercise: str, sha: str, grader: str, devices: list[str],
                limits: dict | None) -> str:
    """The key under which a grade is journaled and found again: not the seed, which every run draws
    afresh for what it grades (an unchanged file keeps the grade, and the seed, it had)."""
    return json.dumps(["v2", student, exercise, sha, grader, list(devices), limits], sort_keys=True)


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


def previous_report(out: Path) -> dict:
    """REPORT_DIR's results.json as a dict, or {} when there is none that can be read."""
    try:
        data = json.loads((out / RESULTS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def columns_from_report(report: dict, entries: list[dict]) -> set[str]:
    """The exercise ids REPORT_DIR holds: results.json's columns, else those the journal graded."""
    columns = report.get("exercises")
    if isinstance(columns, list):
        return {c["id"] for c in columns if isinstance(c, dict) and isinstance(c.get("id"), str)}
    return {e["exercise"] for e in entries if isinstance(e.get("exercise"), str)}


def latest_grades(entries: list[dict]) -> dict[tuple[str, str], dict]:
    """(student, exercise) -> the last journal entry, whatever the file, grader or seed."""
    return {(e.get("student"), e.get("exercise")): e for e in entries}


@contextlib.contextmanager
def report_lock(out: Path):
    """Hold REPORT_DIR for this run; a second `d2lcoach grade` on it gets a UsageError."""
    path = out / LOCK_NAME
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(f"{out}: another `d2lcoach grade` is writing this report; "
                         "wait for it to finish") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot open the report lock: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()
