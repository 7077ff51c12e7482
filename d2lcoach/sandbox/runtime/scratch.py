"""Wiping a submission's scratch folder: iterative, fd-relative, never crossing into a mount.

Used inside the sandbox (the fork-based worker wipes its scratch area after every submission) and by
the grader itself (the portable level wipes each spare's folder). Imports only the standard library.
"""

from __future__ import annotations

import os
import stat

# Windows lacks the last three; there the portable level removes folders with shutil instead.
_DIR_FLAGS = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_CLOEXEC", 0))


def _first_subfolder(fd: int, device: int, skip: set) -> str | None:
    """Unlink every non-folder in the open folder `fd`; return a subfolder left to enter, if any."""
    found = None
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if info.st_dev != device:
                    continue  # a read-only bind of Python or the venv (a checkout under /tmp)
                if stat.S_ISDIR(info.st_mode):
                    if found is None and entry.name not in skip:
                        found = entry.name
                    continue
                try:
                    os.unlink(entry.name, dir_fd=fd)
                except OSError:
                    pass
    except OSError:
        pass
    return found


def wipe_tree(path: str, device: int):
    """Remove everything under `path` that lives on `device`, never crossing into a mount.

    Iterative and relative to one open folder at a time (down by name, up by ".."), so neither a
    deep chain of folders nor paths longer than PATH_MAX can stop it. Runs only once every process
    of the submission is dead, so nothing renames folders under it."""
    try:
        fd = os.open(path, _DIR_FLAGS)
    except OSError:
        return
    names: list[str] = []
    skips: list[set] = [set()]
    while True:
        sub = _first_subfolder(fd, device, skips[-1])
        if sub is not None:
            try:
                os.chmod(sub, 0o700, dir_fd=fd)  # a submission may have locked its folders (mode 000)
            except OSError:
                pass
            try:
                inner = os.open(sub, _DIR_FLAGS, dir_fd=fd)
            except OSError:
                skips[-1].add(sub)
                continue
            os.close(fd)
            fd = inner
            names.append(sub)
            skips.append(set())
            continue
        if not names:
            os.close(fd)
            return
        try:
            parent = os.open("..", _DIR_FLAGS, dir_fd=fd)
        except OSError:
            os.close(fd)
            return
        os.close(fd)
        fd = parent
        name = names.pop()
        skips.pop()
        try:
            os.rmdir(name, dir_fd=fd)
        except OSError:
            skips[-1].add(name)
