"""Learner files read as data: no link followed, regular files only, inside the student's folder, size-capped.

Every place that reads a submission (`check --file`, the roster, an LMS export, a notebook, the
Gradescope runner) reads it here. A file is opened with `O_NOFOLLOW | O_NONBLOCK` relative to an
already opened folder, one path component at a time, so neither the file nor a folder on its way
(`hw1 -> ../alice`) can be a symbolic link; `fstat` on the open file must say it is a regular file
(not a FIFO, a device or a socket); and at most `limit + 1` bytes are read, so a file that grows
after it was opened cannot bloat the grader either. Every refusal is a one-line `UsageError`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from d2lcoach.errors import UsageError

#: The largest learner file that `read_text` accepts (a notebook passes its own, larger limit).
MAX_SUBMISSION_BYTES = 1024 * 1024
LINK_REASON = "is a symbolic link: submissions are read as data, links are not followed"
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))
# Windows has none of O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK and O_CLOEXEC: 0 there, so this imports.
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))
_CHUNK = 1 << 16


class RefusedFile(UsageError):
    """A learner file that is not read: `path: reason`, and the reason alone for a student's note."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


def _size_text(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 and limit % (1 << 20) == 0 else f"{limit} bytes"


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _open_file(name: str, dir_fd: int) -> int:
    return os.open(name, _FILE_FLAGS, dir_fd=dir_fd)


def _components(path: Path, within: Path | None) -> tuple[Path, tuple[str, ...]]:
    """The folder opened as it is (the instructor's or learner's own path) and the names walked below it."""
    if within is None:
        return path.parent, (path.name,)
    try:
        parts = path.relative_to(within).parts
    except ValueError:
        parts = ()
    if not parts or ".." in parts:
        raise RefusedFile(path, f"is outside the student's folder {within}; refused")
    return Path(within), parts


def read_bytes(path: Path | str, *, within: Path | str | None = None, limit: int = MAX_SUBMISSION_BYTES,
               what: str = "a submission") -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    within: the student's folder; every component of `path` below it is opened without following a
    link, so a path that leads outside it is refused (default: only `path` itself is checked)."""
    path = Path(path)
    base, parts = _components(path, None if within is None else Path(within))
    try:
        dir_fd = os.open(base, _DIR_FLAGS)
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        for depth, name in enumerate(parts):
            last = depth == len(parts) - 1
            try:
                fd = _open_file(name, dir_fd) if last else os.open(name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=dir_fd)
            except FileNotFoundError:
                raise UsageError(f"{path}: file not found") from None
            except OSError as exc:
                if _is_link(name, dir_fd):
                    raise RefusedFile(path, f"{'/'.join(parts[:depth + 1])} {LINK_REASON}") from None
                raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
            os.close(dir_fd)
            dir_fd = fd
        return _read_open(path, dir_fd, limit, what)
    finally:
        os.close(dir_fd)


def _read_open(path: Path, fd: int, limit: int, what: str) -> bytes:
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        raise RefusedFile(path, "is a folder, not " + ("a Python file" if what == "a submission" else what))
    if not stat.S_ISREG(info.st_mode):
        kind = next((text for test, text in _KINDS if test(info.st_mode)), "not a file")
        raise RefusedFile(path, f"is not a regular file ({kind}); submissions are read as data, regular files only")
    if info.st_size > limit:
        raise RefusedFile(path, f"is {info.st_size} bytes; {what} may be at most {_size_text(limit)}")
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > limit:  # it grew after the fstat
        raise RefusedFile(path, f"is larger than {_size_text(limit)}; {what} may be at most {_size_text(limit)}")
    return b"".join(chunks)


def read_text(path: Path | str, *, within: Path | str | None = None) -> str:
    """A learner's Python file as text (UTF-8, a BOM dropped); every problem is a one-line UsageError."""
    data = read_bytes(path, within=within)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None


def is_link(path: Path) -> bool:
    """Whether `path` itself is a symbolic link (never followed)."""
    return Path(path).is_symlink()


def is_folder(path: Path) -> bool:
    """A real folder: a link to one is not (it is listed as a file, and refused when read)."""
    return not is_link(path) and Path(path).is_dir()


def files_under(folder: Path) -> list[Path]:
    """Every file below `folder`, links included as names (they are refused when read), never descending
    into a linked folder; hidden names and `__pycache__` are left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = sorted(d for d in dirnames if d not in linked and not d.startswith(".") and d != "__pycache__")
        found += [Path(dirpath) / f for f in sorted(filenames + linked) if not f.startswith(".")]
    return found
