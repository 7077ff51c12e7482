"""The learner's progress file: a versioned YAML document, validated on load, rewritten whole and atomically."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml
from filelock import FileLock

from d2lcoach.errors import UsageError

#: The progress file's name, at the root of a workspace.
PROGRESS_FILENAME = "d2lcoach-progress.yaml"
#: The sibling file that `update_progress` locks, so that concurrent runs take turns.
LOCK_FILENAME = ".d2lcoach-progress.lock"
#: The schema version this module writes.
VERSION = 2
#: The versions it reads: a version-1 file is migrated as it is read (see `_migrate_v1`).
READABLE_VERSIONS = (1, 2)

NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
PASSED = "passed"
STATUSES = (NOT_STARTED, IN_PROGRESS, PASSED)

PASS = "pass"
FAIL = "fail"
SOLUTION_AFTER_PASSING = "after passing"
SOLUTION_FORCED = "forced"
SOLUTION_VIEWS = (None, SOLUTION_AFTER_PASSING, SOLUTION_FORCED)

HEADER = (
    "# Managed by d2lcoach: your progress through the course. Do not edit by hand;\n"
    "# d2lcoach rewrites this whole file after every check, hint and solution.\n"
)

#: What the error about a progress file that cannot be understood adds: the way out.
RECOVER = "to recover, run `d2lcoach progress rebuild`: it keeps a backup of this file and re-checks your files"

_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_EXERCISE_KEYS = (
    "status", "attempts", "hints_shown", "first_passed_at", "last_checked_at",
    "last_result", "passed_hash", "solution_viewed", "last_score",
    "best_score", "best_file", "last_file", "last_failures",
)
_TOP_KEYS = ("version", "current", "exercises")


def utc_timestamp(now: dt.datetime | None = None) -> str:
    """An ISO-8601 UTC timestamp to the second, e.g. `2024-05-01T12:00:00Z`; a naive `now` counts as UTC."""
    moment = now if now is not None else dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclasses.dataclass
class ExerciseProgress:
    """What the learner has done on one exercise."""

    status: str = NOT_STARTED
    attempts: int = 0
    hints_shown: int = 0
    first_passed_at: str | None = None
    last_checked_at: str | None = None
    last_result: dict[str, str] = dataclasses.field(default_factory=dict)
    passed_hash: str | None = None
    solution_viewed: str | None = None
    last_score: float | None = None
    #: The best check so far (a pass beats any score; the newer of equals wins) and the file it graded.
    best_score: float | None = None
    best_file: str | None = None
    #: The file the last check graded, and how many of its checks failed.
    last_file: str | None = None
    last_failures: int | None = None

    @property
    def ever_passed(self) -> bool:
        return self.first_passed_at is not None


@dataclasses.dataclass
class Progress:
    """The whole progress file: a version, the current exercise, and one entry per exercise id."""

    version: int = VERSION
    current: str | None = None
    exercises: dict[str, ExerciseProgress] = dataclasses.field(default_factory=dict)

    def for_exercise(self, exercise_id: str) -> ExerciseProgress:
        """The entry of `exercise_id`, created (not started) if there is none yet."""
        entry = self.exercises.get(exercise_id)
        if entry is None:
            entry = self.exercises[exercise_id] = ExerciseProgress()
        return entry

    def record_start(self, exercise_id: str) -> ExerciseProgress:
        """Make `exercise_id` the current exercise and mark it in progress unless it has passed."""
        entry = self.for_exercise(exercise_id)
        if entry.status == NOT_STARTED:
            entry.status = IN_PROGRESS
        self.current = exercise_id
        return entry

    def record_check(
        self,
        exercise_id: str,
        passed: bool,
        per_device: dict[str, bool],
        score: float | None,
        file_hash: str | None,
        now: dt.datetime | None = None,
        *,
        file: str | None = None,
        failures: int | None = None,
    ) -> ExerciseProgress:
        """Count one check of `file`. A pass is never lost: a later failing check is counted (attempts,
        last result, last file) but the status stays passed, as does the best result and its file."""
        entry = self.for_exercise(exercise_id)
        stamp = utc_timestamp(now)
        entry.attempts += 1
        entry.last_checked_at = stamp
        entry.last_result = {str(device): PASS if ok else FAIL for device, ok in per_device.items()}
        entry.last_score = None if score is None else float(score)
        entry.last_file = file
        entry.last_failures = failures
        if (passed, entry.last_score or 0.0) >= (entry.status == PASSED, entry.best_score or 0.0):
            entry.best_score, entry.best_file = entry.last_score, file
        if passed:
            entry.status = PASSED
            if entry.first_passed_at is None:
                entry.first_passed_at = stamp
            entry.passed_hash = file_hash
        elif entry.status != PASSED:
            entry.status = IN_PROGRESS
        return entry

    def record_hint(self, exercise_id: str) -> int:
        """Count one hint shown; returns the new count."""
        entry = self.for_exercise(exercise_id)
        entry.hints_shown += 1
        if entry.status == NOT_STARTED:
            entry.status = IN_PROGRESS
        return entry.hints_shown

    def record_solution(self, exercise_id: str, forced: bool) -> ExerciseProgress:
        """Note that the reference solution was shown; once `forced`, it stays `forced`."""
        entry = self.for_exercise(exercise_id)
        if forced:
            entry.solution_viewed = SOLUTION_FORCED
        elif entry.solution_viewed != SOLUTION_FORCED:
            entry.solution_viewed = SOLUTION_AFTER_PASSING
        return entry


# ---------------------------------------------------------------------------------------------
# Reading and validating


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _timestamp(value: object, where: str, key: str, source: Path) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # an unquoted timestamp that YAML already parsed
        return utc_timestamp(value)
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise UsageError(f"{source}: {where}: {key!r} must be an ISO-8601 time or null")


def _exercise_from_yaml(raw: object, where: str, source: Path) -> ExerciseProgress:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UsageError(f"{source}: {where} must be a mapping")
    unknown = [str(k) for k in raw if k not in _EXERCISE_KEYS]
    if unknown:
        raise UsageError(f"{source}: {where}: unknown key {unknown[0]!r}")
    entry = ExerciseProgress()

    status = raw.get("status", NOT_STARTED)
    if status not in STATUSES:
        choices = ", ".join(repr(s) for s in STATUSES)
        raise UsageError(f"{source}: {where}: 'status' must be one of {choices}, not {status!r}")
    entry.status = status

    for key in ("attempts", "hints_shown"):
        value = raw.get(key, 0)
        if not _is_int(value) or value < 0:
            raise UsageError(f"{source}: {where}: {key!r} must be a non-negative integer")
        setattr(entry, key, value)

    entry.first_passed_at = _timestamp(raw.get("first_passed_at"), where, "first_passed_at", source)
    entry.last_checked_at = _timestamp(raw.get("last_checked_at"), where, "last_checked_at", source)

    result = raw.get("last_result")
    if result is None:
        result = {}
    if not isinstance(result, dict) or not all(
        isinstance(k, str) and v in (PASS, FAIL) for k, v in result.items()
    ):
        raise UsageError(f"{source}: {where}: 'last_result' must map device names to 'pass' or 'fail'")
    entry.last_result = dict(result)

    digest = raw.get("passed_hash")
    if digest is not None and not (isinstance(digest, str) and _HASH_RE.match(digest)):
        raise UsageError(f"{source}: {where}: 'passed_hash' must be a sha256 hex digest or null")
    entry.passed_hash = digest

    viewed = raw.get("solution_viewed")
    if viewed not in SOLUTION_VIEWS:
        raise UsageError(
            f"{source}: {where}: 'solution_viewed' must be null, "
            f"{SOLUTION_AFTER_PASSING!r} or {SOLUTION_FORCED!r}, not {viewed!r}"
        )
    entry.solution_viewed = viewed

    for key in ("last_score", "best_score"):
        score = raw.get(key)
        if score is not None:
            if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
                raise UsageError(f"{source}: {where}: {key!r} must be a number or null")
            score = float(score)
        setattr(entry, key, score)

    for key in ("best_file", "last_file"):
        value = raw.get(key)
        if value is not None and not (isinstance(value, str) and value):
            raise UsageError(f"{source}: {where}: {key!r} must be a file name or null")
        setattr(entry, key, value)

    failures = raw.get("last_failures")
    if failures is not None and (not _is_int(failures) or failures < 0):
        raise UsageError(f"{source}: {where}: 'last_failures' must be a non-negative integer or null")
    entry.last_failures = failures
    return entry


def _migrate_v1(entry: ExerciseProgress) -> ExerciseProgress:
    """A version-1 entry as version 2 reads it. Version 1 set the status back to "in progress" after a
    failing check, losing the pass; its first pass's time survived, so the pass comes back. The best
    result is the last score where the last check was the best one known; its file was not recorded."""
    if entry.first_passed_at is not None and entry.status != PASSED:
        entry.status = PASSED
        entry.best_score = None  # the passing check's score was not kept
    else:
        entry.best_score = entry.last_score
    return entry


def progress_from_yaml(data: object, source: Path) -> Progress:
    """Validate a parsed progress document; every problem is a one-line UsageError naming `source`."""
    if data is None:
        raise UsageError(f"{source}: the file is empty; expected a mapping with 'version: {VERSION}'")
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a progress file must be a mapping, not {type(data).__name__}")
    if "version" not in data:
        raise UsageError(f"{source}: has no 'version' key")
    version = data["version"]
    if not _is_int(version):
        raise UsageError(f"{source}: 'version' must be an integer, not {version!r}")
    if version not in READABLE_VERSIONS:
        raise UsageError(f"{source}: version {version} is not supported; this d2lcoach reads versions "
                         f"{', '.join(map(str, READABLE_VERSIONS))}")
    unknown = [str(k) for k in data if k not in _TOP_KEYS]
    if unknown:
        raise UsageError(f"{source}: unknown top-level key {unknown[0]!r}")
    current = data.get("current")
    if current is not None and not isinstance(current, str):
        raise UsageError(f"{source}: 'current' must be an exercise id or null")
    raw_exercises = data.get("exercises")
    if raw_exercises is None:
        raw_exercises = {}
    if not isinstance(raw_exercises, dict):
        raise UsageError(f"{source}: 'exercises' must be a mapping from exercise id to progress")
    exercises: dict[str, ExerciseProgress] = {}
    for key, raw in raw_exercises.items():
        if not isinstance(key, str):
            raise UsageError(f"{source}: exercise id {key!r} must be a string")
        exercises[key] = _exercise_from_yaml(raw, f"exercise {key!r}", source)
        if version == 1:
            exercises[key] = _migrate_v1(exercises[key])
    return Progress(version=VERSION, current=current, exercises=exercises)


def progress_to_yaml(progress: Progress) -> dict:
    """The plain mapping that `save_progress` writes, keys in schema order."""
    return {
        "version": progress.version,
        "current": progress.current,
        "exercises": {
            exercise_id: {
                "status": entry.status,
                "attempts": entry.attempts,
                "hints_shown": entry.hints_shown,
                "first_passed_at": entry.first_passed_at,
                "last_checked_at": entry.last_checked_at,
                "last_result": dict(entry.last_result),
                "passed_hash": entry.passed_hash,
                "solution_viewed": entry.solution_viewed,
                "last_score": entry.last_score,
                "best_score": entry.best_score,
                "best_file": entry.best_file,
                "last_file": entry.last_file,
                "last_failures": entry.last_failures,
            }
            for exercise_id, entry in progress.exercises.items()
        },
    }


def dump_progress(progress: Progress) -> str:
    """The text of the progress file: the managed-by header, then the YAML document."""
    body = yaml.safe_dump(progress_to_yaml(progress), sort_keys=False, default_flow_style=False,
                          allow_unicode=True, width=100)
    return HEADER + body


def load_progress(path: Path | str) -> Progress:
    """Read the progress file; a missing file is an empty Progress, a broken one a one-line UsageError
    that ends with the way to recover (RECOVER)."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        return Progress()
    except IsADirectoryError:
        raise UsageError(f"{source}: is a folder, but the progress file belongs here") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        return _parse_progress(raw, source)
    except UsageError as exc:
        raise UsageError(f"{exc}; {RECOVER}") from None


def _parse_progress(raw: bytes, source: Path) -> Progress:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source}: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{source}: not valid YAML{at}") from None
    return progress_from_yaml(data, source)


# ---------------------------------------------------------------------------------------------
# Writing


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(path: Path | str, content: str | bytes) -> None:
    """Replace `path` with `content` whole (text as UTF-8): temp file beside it, fsync, os.replace, fsync the folder.

    Keeps the old file's permission bits (0644 for a new file). Raises OSError; callers word it.
    """
    target = Path(path)
    folder = target.parent
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)


def save_progress(path: Path | str, progress: Progress) -> None:
    """Write the whole progress file atomically; a failure is a one-line UsageError and leaves the old file."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{target}: is a folder, but the progress file belongs here")
    try:
        write_atomically(target, dump_progress(progress))
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None


@contextlib.contextmanager
def update_progress(path: Path | str) -> Iterator[Progress]:
    """Lock, load, yield the Progress, and save it if the body did not raise.

    The lock is an exclusive lock on `.d2lcoach-progress.lock` beside the progress file (`filelock`:
    `flock` on Unix, a Windows file lock on Windows), held from before the load until after the save, so two
    runs at once cannot lose each other's updates. A second run waits for the first.
    """
    target = Path(path)
    lock_path = target.parent / LOCK_FILENAME
    lock = FileLock(lock_path)
    try:
        lock.acquire()
    except OSError as exc:
        raise UsageError(f"{lock_path}: cannot open the progress lock: {exc.strerror or exc}") from None
    try:
        progress = load_progress(target)
        yield progress
        save_progress(target, progress)
    finally:
        lock.release()
