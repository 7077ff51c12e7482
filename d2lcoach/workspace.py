"""The learner's workspace: where their exercise files, backups and progress file live."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError
from d2lcoach.progress import LOCK_FILENAME, PROGRESS_FILENAME, write_atomically

#: The environment variable that names the workspace when no path is given.
WORKSPACE_ENV = "D2LCOACH_WORKSPACE"
#: Where `reset` keeps the learner's earlier work, inside the workspace.
BACKUPS_DIRNAME = ".d2lcoach-backups"
#: The largest learner file that `read_submission` accepts.
MAX_SUBMISSION_BYTES = 1024 * 1024


def file_hash(text: str | bytes) -> str:
    """The sha256 hex digest of a submission's text (UTF-8) or bytes."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def read_submission(path: Path | str) -> str:
    """Read a learner's file as text; every problem is a one-line UsageError naming the file."""
    source = Path(path)
    try:
        info = os.stat(source)
    except FileNotFoundError:
        raise UsageError(f"{source}: file not found") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{source}: is a folder, not a Python file")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{source}: is not a regular file")
    if info.st_size > MAX_SUBMISSION_BYTES:
        raise UsageError(f"{source}: is {info.st_size} bytes; a submission may be at most 1 MiB")
    try:
        with open(source, "rb") as handle:
            data = handle.read(MAX_SUBMISSION_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {_reason(exc)}") from None
    if len(data) > MAX_SUBMISSION_BYTES:  # it grew after the stat
        raise UsageError(f"{source}: is larger than 1 MiB; a submission may be at most 1 MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source}: not UTF-8 text (bad byte at offset {exc.start})") from None


@dataclasses.dataclass(frozen=True)
class Workspace:
    """A folder of the learner's: `ch04-linear-classification/softmax.py` and so on, plus the progress file."""

    root: Path

    @property
    def progress_path(self) -> Path:
        return self.root / PROGRESS_FILENAME

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_FILENAME

    @property
    def backups_dir(self) -> Path:
        return self.root / BACKUPS_DIRNAME

    def ensure_exists(self) -> Path:
        """Create the workspace folder (and its parents) if missing; for commands that write."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise UsageError(f"{self.root}: exists and is not a folder; a workspace must be a folder") from None
        except OSError as exc:
            raise UsageError(f"{self.root}: cannot create the workspace folder: {_reason(exc)}") from None
        return self.root

    def exercise_file(self, exercise: Exercise) -> Path:
        """Where the learner's copy of `exercise` lives."""
        return self.root / exercise.workspace_relpath

    def _stub_bytes(self, exercise: Exercise) -> bytes:
        try:
            return exercise.stub_path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{exercise.stub_path}: cannot read the stub of {exercise.id!r}: {_reason(exc)}") from None

    def _make_parent(self, target: Path) -> None:
        self.ensure_exists()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise UsageError(f"{target.parent}: exists and is not a folder") from None
        except OSError as exc:
            raise UsageError(f"{target.parent}: cannot create the folder: {_reason(exc)}") from None

    def _not_a_folder(self, target: Path) -> None:
        if target.is_dir():
            raise UsageError(f"{target}: is a folder, but the exercise file belongs here")

    def install_stub(self, exercise: Exercise) -> tuple[Path, bool]:
        """Copy the stub into place unless a file is already there; never overwrites. Returns (path, created)."""
        return self.install_new(self.exercise_file(exercise), lambda: self._stub_bytes(exercise))

    def install_new(self, target: Path, make: Callable[[], bytes]) -> tuple[Path, bool]:
        """Write `make()` to `target` unless a file is already there; never overwrites. Returns (path, created)."""
        self._not_a_folder(target)
        if os.path.lexists(target):
            return target, False
        data = make()
        self._make_parent(target)
        try:
            with open(target, "xb") as handle:  # exclusive create: a file that appears meanwhile is kept
                handle.write(data)
        except FileExistsError:
            return target, False
        except OSError as exc:
            raise UsageError(f"{target}: cannot write: {_reason(exc)}") from None
        return target, True

    def _backup(self, exercise: Exercise, data: bytes, now: dt.datetime | None) -> Path:
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        try:
            self.backups_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{self.backups_dir}: cannot create the backup folder: {_reason(exc)}") from None
        counter = 1
        while True:
            suffix = "" if counter == 1 else f"-{counter}"
            backup = self.backups_dir / f"{exercise.id}-{stamp}{suffix}.py"
            try:
                with open(backup, "xb") as handle:  # never overwrites an earlier backup
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except FileExistsError:
                counter += 1
                continue
            except OSError as exc:
                raise UsageError(f"{backup}: cannot write the backup: {_reason(exc)}") from None
            return backup

    def reset(self, exercise: Exercise, now: dt.datetime | None = None) -> Path | None:
        """Put the stub back; the learner's different file is first backed up. Returns the backup or None.

        Backups are `.d2lcoach-backups/<id>-YYYYmmdd-HHMMSS.py` (local time), with `-2`, `-3`, ...
        added when that name is taken; no backup is ever overwritten or deleted.
        """
        target = self.exercise_file(exercise)
        self._not_a_folder(target)
        stub = self._stub_bytes(exercise)
        backup = None
        if os.path.lexists(target):
            try:
                current = target.read_bytes()
            except OSError as exc:
                raise UsageError(f"{target}: cannot read: {_reason(exc)}") from None
            if current == stub:
                return None
            backup = self._backup(exercise, current, now)
        self._make_parent(target)
        try:
            write_atomically(target, stub)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write: {_reason(exc)}") from None
        return backup


def resolve_workspace(path: Path | str | None = None) -> Workspace:
    """The workspace at `path`, else at $D2LCOACH_WORKSPACE, else the current folder; it may not exist yet."""
    chosen = path if path not in (None, "") else os.environ.get(WORKSPACE_ENV) or None
    root = Path(chosen).expanduser() if chosen is not None else Path.cwd()
    root = root.absolute()
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: is not a folder; a workspace must be a folder")
    return Workspace(root=root)
