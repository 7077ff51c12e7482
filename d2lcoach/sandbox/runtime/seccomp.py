"""A small seccomp filter for the learner's child: no ptrace, no other process's memory, no
network sockets, no kernel keyrings, BPF, mounts or new namespaces, no SysV or POSIX message-queue
IPC (such objects would outlive the submission), no signal or rlimit change aimed at the
processes that grade it, and (unless asked) no second thread: the recorders are thread-local, so
the child runs on one thread only (clone with CLONE_THREAD is refused; clone3, whose flags a filter
cannot read, answers ENOSYS, so the C library falls back to clone). Built by hand as classic BPF (no libseccomp needed) and installed with
prctl after PR_SET_NO_NEW_PRIVS. Imports only the standard library.
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
        "io_uring_setup": 425, "swapon": 167, "chroot": 161, "open_by_handle_at": 304,
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65, "semctl": 66,
        "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "mq_open": 240,
        "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244,
        "mq_getsetattr": 245},
     {"kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
      "pidfd_open": 434, "prlimit64": 302}),
    "aarch64": (0xC00000B7, {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "socket": 198, "bpf": 280,
        "keyctl": 219, "add_key": 217, "request_key": 218, "userfaultfd": 282, "perf_event_open": 241,
        "mount": 40, "umount2": 39, "pivot_root": 41, "unshare": 97, "setns": 268,
        "init_module": 105, "finit_module": 273, "kexec_load": 104, "reboot": 142,
        "io_uring_setup": 425, "swapon": 224, "chroot": 51, "open_by_handle_at": 265,
        "shmget": 194, "shmat": 196, "shmctl": 195, "shmdt": 197, "semget": 190, "semop": 193,
        "semctl": 191, "semtimedop": 192, "msgget": 186, "msgsnd": 189, "msgrcv": 188, "msgctl": 187,
        "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
        "mq_getsetattr": 185},
     {"kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
      "pidfd_open": 434, "prlimit64": 261}),
}
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_CLONE = {"x86_64": 56, "aarch64": 220}
_CLONE3 = 435
CLONE_THREAD = 0x00010000
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_AF_UNIX = 1
_ARG0 = 16  # offset of the low 32 bits of the first argument in struct seccomp_data (little endian)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def _ins(code, k, jt=0, jf=0):
    return struct.pack("=HBBI", code, jt, jf, k)


def program(protected: tuple[int, ...] = (), unix_sockets: bool = True, threads: bool = True) -> bytes | None:
    """The filter as raw sock_filter instructions, or None on an architecture we do not know.

    protected: process ids the child may not signal, open a pidfd on or change the rlimits of (the
    processes grading it); `kill(-pid)` of their groups and `kill(-1)` are refused too.
    unix_sockets: whether socket(AF_UNIX) is allowed (a private network namespace keeps abstract
    sockets to the sandbox; without one they are the machine's).
    threads: whether the process may start threads (CUDA needs them; grading on the CPU does not)."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return None
    audit, numbers, signalling = arch
    deny = _ERRNO | errno.EPERM
    blocked = [n for name, n in numbers.items() if name != "socket"]
    body = [_ins(_LD_ABS, 4), _ins(_JEQ, audit, 1, 0), _ins(_RET, deny), _ins(_LD_ABS, 0)]
    if platform.machine() == "x86_64":  # the x32 ABI would dodge the numbers below
        body += [_ins(_JGE, 0x40000000, 0, 1), _ins(_RET, deny)]
    for number in blocked:
        body += [_ins(_JEQ, number, 0, 1), _ins(_RET, deny)]
    if not threads:
        body += [_ins(_JEQ, _CLONE3, 0, 1), _ins(_RET, _ERRNO | errno.ENOSYS)]
        # if nr == clone: load the flags; refuse CLONE_THREAD; reload nr and go on
        body += [_ins(_JEQ, _CLONE[platform.machine()], 0, 4), _ins(_LD_ABS, _ARG0),
                 _ins(_JSET, CLONE_THREAD, 0, 1), _ins(_RET, deny), _ins(_LD_ABS, 0)]
    targets = sorted({p & 0xFFFFFFFF for pid in protected if pid > 0 for p in (pid, -pid)} | {0xFFFFFFFF})
    for number in signalling.values():
        # if nr == number: load arg0; refuse a protected target; reload nr and go on
        block = [_ins(_LD_ABS, _ARG0)]
        for target in targets:
            block += [_ins(_JEQ, target, 0, 1), _ins(_RET, deny)]
        block.append(_ins(_LD_ABS, 0))
        body += [_ins(_JEQ, number, 0, len(block))] + block
    # socket(domain, ...): AF_UNIX at most (Python and torch use socketpair-style pipes at most).
    refuse = _ERRNO | errno.EACCES
    body += [_ins(_JEQ, numbers["socket"], 0, 4), _ins(_LD_ABS, _ARG0), _ins(_JEQ, _AF_UNIX, 0, 1),
             _ins(_RET, _ALLOW if unix_sockets else refuse), _ins(_RET, refuse)]
    body.append(_ins(_RET, _ALLOW))
    return b"".join(body)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(protected: tuple[int, ...] = (), unix_sockets: bool = True, threads: bool = True) -> bool:
    """Install the filter on this process (and all it later forks). False where the kernel refuses."""
    prog = program(protected, unix_sockets, threads)
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
