"""Attack: tries to take over its parent (the sandbox worker that reports to the grader) and
pid 1: opens /proc/<pid>/mem for writing, opens the parent's stdout pipe through
/proc/<pid>/fd/1 to forge its report, and calls ptrace (ATTACH and SEIZE) through ctypes reached
from torch. Each success is printed as BREACH. Then it answers correctly.

needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os
ctypes = torch.ctypes
libc = ctypes.CDLL(None, use_errno=True)


def say(text):
    os.write(1, (text + "\n").encode())


for pid in (os.getppid(), 1):
    for path in (f"/proc/{pid}/mem", f"/proc/{pid}/fd/1", f"/proc/{pid}/fd/0"):
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            try:
                fd = os.open(path, os.O_WRONLY)
            except OSError:
                continue
        os.close(fd)
        say(f"BREACH: opened {path} for writing")
    for request, name in ((16, "PTRACE_ATTACH"), (0x4206, "PTRACE_SEIZE")):
        if libc.ptrace(request, pid, None, None) == 0:
            say(f"BREACH: {name} on pid {pid}")
            libc.ptrace(17, pid, None, None)  # PTRACE_DETACH


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
