"""The learner's workspace: where their exercise files, backups and progress file live."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from d2lcoach.learner import files as learner_files
from d2lcoach.course import Exercise
from d2lcoach.learner.files import MAX_SUBMISSION_BYTES  # noqa: F401  (the limit, where it was always named)
from d2lcoach.errors import UsageError
from d2lcoach.learner.progress import LOCK_FILENAME, PROGRESS_FILENAME, write_atomically

#: The environment variable that names the workspace when no path is given.
WORKSPACE_ENV = "D2LCOACH_WORKSPACE"
#: Where `reset` keeps the learner's earlier work, inside the workspace.
BACKUPS_DIRNAME = ".d2lcoach-backups"
#: A chapter folder inside a workspace, e.g. `ch04-linear-classification`.
_CHAPTER_FOLDER = re.compile(r"^ch\d{2,}-")


def file_hash(text: str | bytes) -> str:
    """The sha256 hex digest of a submission's text (UTF-8) or bytes."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def read_submission(path: Path | str, *, within: Path | str | None = None) -> str:
    """Read a learner's file as text; every problem is a one-line UsageError naming the file.

    A link, a FIFO or a device is refused, and so is a path leading out of `within` (see learner_files)."""
    return learner_files.read_text(path, within=within)


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

    def keep_backup(self, stem: str, data: bytes, now: dt.datetime | None = None, suffix: str = ".py") -> Path:
        """Write `data` as `.d2lcoach-backups/<stem>-YYYYmmdd-HHMMSS<suffix>` (`-2`, `-3`, ... when taken).

        Never overwrites an earlier backup. Returns its path.
        """
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        try:
            self.backups_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{self.backups_dir}: cannot create the backup folder: {_reason(exc)}") from None
        counter = 1
        while True:
            tail = "" if counter == 1 else f"-{counter}"
            backup = self.backups_dir / f"{stem}-{stamp}{tail}{suffix}"
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

    def backups_of(self, exercise: Exercise, suffix: str = ".py") -> list[Path]:
        """The backups of `exercise`'s file (its notebook's with `suffix=".ipynb"`), oldest first (by
        their time stamp, then their counter)."""
        pattern = re.compile(rf"^{re.escape(exercise.id)}-(\d{{8}}-\d{{6}})(?:-(\d+))?{re.escape(suffix)}$")
        found = []
        if self.backups_dir.is_dir():
            for entry in self.backups_dir.iterdir():
                match = pattern.match(entry.name)
                if match and entry.is_file():
                    found.append(((match.group(1), int(match.group(2) or 1)), entry))
        return [entry for _, entry in sorted(found)]

    def reset(self, exercise: Exercise, now: dt.datetime | None = None, target: Path | None = None,
              stub: bytes | None = None) -> Path | None:
        """Put the stub back; the learner's different file is first backed up. Returns the backup or None.

        Backups are `.d2lcoach-backups/<id>-YYYYmmdd-HHMMSS.py` (local time), with `-2`, `-3`, ...
        added when that name is taken; no backup is ever overwritten or deleted. `target` and `stub`:
        another form of the exercise (its notebook), backed up with that file's suffix.
        """
        target = self.exercise_file(exercise) if target is None else target
        self._not_a_folder(target)
        stub = self._stub_bytes(exercise) if stub is None else stub
        current = self._read_if_there(target)
        if current == stub:
            return None
        backup = self.keep_backup(exercise.id, current, now, suffix=target.suffix) if current is not None else None
        self._write(target, stub)
        return backup

    @staticmethod
    def _read_if_there(target: Path) -> bytes | None:
        if not os.path.lexists(target):
            return None
        try:
            return target.read_bytes()
        except OSError as exc:
            raise UsageError(f"{target}: cannot read: {_reason(exc)}") from None

    def _write(self, target: Path, content: bytes) -> None:
        self._make_parent(target)
        try:
            write_atomically(target, content)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write: {_reason(exc)}") from None

    def restore(self, exercise: Exercise, now: dt.datetime | None = None, target: Path | None = None,
                stub: bytes | None = None) -> tuple[Path, Path | None]:
        """Bring back the newest backup of `exercise`; the current file is first kept as a backup itself
        (unless it is the stub, which `reset` can always bring back, or the same as that backup).

        Returns (the backup restored, the backup of the file it replaced or None). Running it again
        swaps back: the file it replaced is now the newest backup. `target` and `stub`: as for `reset`.
        """
        target = self.exercise_file(exercise) if target is None else target
        self._not_a_folder(target)
        found = self.backups_of(exercise, suffix=target.suffix)
        if not found:
            raise UsageError(f"no backup of {exercise.id} in {self.backups_dir}; `d2lcoach reset` makes one")
        chosen = found[-1]
        wanted = self._read_if_there(chosen)
        if wanted is None:
            raise UsageError(f"{chosen}: the backup disappeared while it was read")
        current = self._read_if_there(target)
        kept = None
        if current is not None and current not in (wanted, self._stub_bytes(exercise) if stub is None else stub):
            kept = self.keep_backup(exercise.id, current, now, suffix=target.suffix)
        self._write(target, wanted)
        return chosen, kept


#: What a command says when no workspace is found (after the folder it searched from).
NO_WORKSPACE = ("`d2lcoach init` makes this folder one (`d2lcoach next` does too, in an empty folder), "
                "or pass --workspace DIR")


@dataclasses.dataclass(frozen=True)
class Located:
    """The outcome of looking for the learner's workspace.

    `workspace` is None when there is none in `start` or above it; `how` says how it was chosen.
    """

    workspace: Workspace | None
    how: str
    start: Path

    def required(self, create_in_empty_folder: bool = False) -> Workspace:
        """The workspace, or a one-line UsageError saying there is none and how to make one.

        With `create_in_empty_folder`, an empty starting folder (dot entries aside) becomes the
        workspace (for `next` in a new folder; the folder is created by the command that writes).
        """
        if self.workspace is not None:
            return self.workspace
        if create_in_empty_folder and folder_is_empty(self.start):
            return Workspace(root=self.start)
        raise UsageError(f"no d2lcoach workspace in {self.start} or any folder above it "
                         f"(none holds {PROGRESS_FILENAME}); {NO_WORKSPACE}")


def folder_is_empty(folder: Path) -> bool:
    """True when `folder` holds nothing but dot entries (such as .git), or does not exist yet."""
    try:
        return not any(not entry.name.startswith(".") for entry in folder.iterdir())
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _holds_exercise_files(folder: Path) -> bool:
    """A workspace that lost its progress file: chapter folders with Python files, or backups."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    for entry in entries:
        if entry.name == BACKUPS_DIRNAME and entry.is_dir():
            return True
        if _CHAPTER_FOLDER.match(entry.name) and entry.is_dir():
            try:
                if any(child.suffix == ".py" for child in entry.iterdir()):
                    return True
            except OSError:
                continue
    return False


def find_workspace(start: Path) -> Path | None:
    """The workspace that holds `start`, searching upward as git does for `.git`.

    The nearest folder with a progress file wins; where no folder above has one, the nearest that
    holds the course's chapter folders (`ch04-.../*.py`) or backups: a workspace whose progress
    file was deleted. None when neither exists.
    """
    chain = [start, *start.parents]
    for folder in chain:
        if os.path.lexists(folder / PROGRESS_FILENAME):
            return folder
    for folder in chain:
        if _holds_exercise_files(folder):
            return folder
    return None


def locate_workspace(path: Path | str | None = None, cwd: Path | None = None) -> Located:
    """The workspace at `path` (`--workspace`), else at $D2LCOACH_WORKSPACE (both taken as given: the
    folder may not exist yet), else the one that holds the current folder (searched upward)."""
    start = (cwd if cwd is not None else Path.cwd()).absolute()
    if path not in (None, ""):
        return Located(_given(path), "--workspace", start)
    if os.environ.get(WORKSPACE_ENV):
        return Located(_given(os.environ[WORKSPACE_ENV]), "$" + WORKSPACE_ENV, start)
    root = find_workspace(start)
    if root is None:
        return Located(None, "none found", start)
    return Located(Workspace(root=root), "the current folder" if root == start else f"found above {start}",
                   start)


def _given(path: Path | str) -> Workspace:
    root = Path(path).expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: is not a folder; a workspace must be a folder")
    return Workspace(root=root)


def resolve_workspace(path: Path | str | None = None) -> Workspace:
    """The workspace at `path`, else at $D2LCOACH_WORKSPACE, else the one holding the current folder,
    else the current folder itself; it may not exist yet."""
    located = locate_workspace(path)
    return located.workspace if located.workspace is not None else Workspace(root=located.start)
