"""Landlock for the learner's child: it may write only inside its own scratch folder (and to a few
device files), may not signal processes outside itself, and may not reach abstract unix sockets
made by anyone else. Unprivileged, stacks on top of bubblewrap, and is the only wall against
writes to the machine's /tmp or /dev/shm under the process fallback. Best effort: on a kernel
without Landlock `restrict` returns False and the other walls stand alone. Imports only the
standard library.
"""

from __future__ import annotations

import ctypes
import os
import struct

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same numbers on x86_64 and aarch64
_VERSION_FLAG = 1
_RULE_PATH_BENEATH = 1
_WRITE_FILE, _REMOVE_DIR, _REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
_MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
_REFER, _TRUNCATE = 1 << 13, 1 << 14  # ABI 2 and 3
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
#: Device files a child may open for writing (CUDA's included).
DEVICE_FILES = ("/dev/null", "/dev/zero", "/dev/full")


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def abi() -> int:
    try:
        version = _libc().syscall(_CREATE_RULESET, None, 0, _VERSION_FLAG)
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def restrict(writable_dirs: list[str], writable_files: list[str] = ()) -> bool:
    """Confine this process (and what it forks). Needs PR_SET_NO_NEW_PRIVS already set."""
    version = abi()
    if version < 1:
        return False
    file_rights = _WRITE_FILE | (_TRUNCATE if version >= 3 else 0)
    handled = file_rights | _REMOVE_DIR | _REMOVE_FILE | _MAKE | (_REFER if version >= 2 else 0)
    scoped = _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL if version >= 6 else 0
    attr = struct.pack("=QQQ", handled, 0, scoped) if version >= 6 else struct.pack("=Q", handled)
    libc = _libc()
    buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = libc.syscall(_CREATE_RULESET, buf, len(attr), 0)
    if ruleset < 0:
        return False
    try:
        for path, rights in [(d, handled) for d in writable_dirs] + [(f, file_rights) for f in writable_files]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
                libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, 0)
            finally:
                os.close(fd)
        return libc.syscall(_RESTRICT_SELF, ruleset, 0) == 0
    finally:
        os.close(ruleset)
