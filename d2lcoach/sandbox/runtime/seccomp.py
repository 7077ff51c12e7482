"""A small seccomp filter for the learner's child: no ptrace, no other process's memory, no
network sockets, no kernel keyrings, BPF, mounts or new namespaces. Built by hand as classic BPF
(no libseccomp needed) and installed with prctl after PR_SET_NO_NEW_PRIVS. Imports only the
standard library.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

_ARCH = {
    "x86_64": (0xC000003E, {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "socket": 41, "bpf": 321,
        "keyctl": 250, "add_key": 248, "request_key": 249, "userfaultfd": 323, "perf_event_open": 298,
        "mount": 165, "umount2": 166, "pivot_root": 155, "unshare": 272, "setns": 308,
        "init_module": 175, "finit_module": 313, "kexec_load": 246, "reboot": 169,
        "io_uring_setup": 425, "swapon": 167, "chroot": 161, "open_by_handle_at": 304}),
    "aarch64": (0xC00000B7, {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "socket": 198, "bpf": 280,
        "keyctl": 219, "add_key": 217, "request_key": 218, "userfaultfd": 282, "perf_event_open": 241,
        "mount": 40, "umount2": 39, "pivot_root": 41, "unshare": 97, "setns": 268,
        "init_module": 105, "finit_module": 273, "kexec_load": 104, "reboot": 142,
        "io_uring_setup": 425, "swapon": 224, "chroot": 51, "open_by_handle_at": 265}),
}
_LD_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_AF_UNIX = 1
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def _ins(code, k, jt=0, jf=0):
    return struct.pack("=HBBI", code, jt, jf, k)


def program() -> bytes | None:
    """The filter as raw sock_filter instructions, or None on an architecture we do not know."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return None
    audit, numbers = arch
    deny = _ERRNO | errno.EPERM
    blocked = [n for name, n in numbers.items() if name != "socket"]
    body = [_ins(_LD_ABS, 4), _ins(_JEQ, audit, 1, 0), _ins(_RET, deny), _ins(_LD_ABS, 0)]
    if platform.machine() == "x86_64":  # the x32 ABI would dodge the numbers below
        body += [_ins(_JGE, 0x40000000, 0, 1), _ins(_RET, deny)]
    for number in blocked:
        body += [_ins(_JEQ, number, 0, 1), _ins(_RET, deny)]
    # socket(domain, ...): only AF_UNIX (Python and torch use socketpair-style pipes at most).
    body += [_ins(_JEQ, numbers["socket"], 0, 4), _ins(_LD_ABS, 16), _ins(_JEQ, _AF_UNIX, 0, 1),
             _ins(_RET, _ALLOW), _ins(_RET, _ERRNO | errno.EACCES)]
    body.append(_ins(_RET, _ALLOW))
    return b"".join(body)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> bool:
    """Install the filter on this process (and all it later forks). False where the kernel refuses."""
    prog = program()
    if prog is None:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        buf = ctypes.create_string_buffer(prog)
        fprog = _SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
        return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
    except (OSError, AttributeError):
        return False
