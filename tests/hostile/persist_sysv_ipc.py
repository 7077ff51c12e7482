"""Attack: creates SysV IPC objects (a shared-memory segment holding data, a semaphore set, a
message queue) and a POSIX message queue under a key derived from its marker, for the next
submission to find. Creating any of them is refused; the detector looks for the key.

portable: not contained: no seccomp filter refuses SysV or POSIX IPC, and the machine's IPC objects outlive the submission
expect: contained
probe: persist
"""
import torch

ctypes = torch.ctypes
libc = ctypes.CDLL(None, use_errno=True)
key = int("__MARKER__"[4:12], 16) & 0x7FFFFFFF
IPC_CREAT = 0o1000
shm = libc.shmget(key, 4096, IPC_CREAT | 0o666)
if shm >= 0:
    print("BREACH: made a SysV shared-memory segment", flush=True)
    libc.shmat.restype = ctypes.c_void_p
    at = libc.shmat(shm, None, 0)
    if at not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(at, b"left for the next submission", 28)
if libc.semget(key, 1, IPC_CREAT | 0o666) >= 0:
    print("BREACH: made a SysV semaphore set", flush=True)
if libc.msgget(key, IPC_CREAT | 0o666) >= 0:
    print("BREACH: made a SysV message queue", flush=True)
if libc.mq_open(b"/__MARKER__", 0o100 | 0o2, 0o666, None) >= 0:  # O_CREAT | O_RDWR
    print("BREACH: made a POSIX message queue", flush=True)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
