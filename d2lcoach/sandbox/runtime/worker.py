"""The warm worker ("zygote") inside the sandbox: imports torch once, forks a fresh child per submission.

Protocol on stdin/stdout, each message a u64 length then a wire message (see wire.py):
  -> {"op": "grade", "request": {...}, "limits": {...}}
  <- {"status": ..., "output": str, "seconds": float, ...} then one more frame: the child's raw result.
The zygote never reads a request, a result or a submission's output, so its memory holds nothing of
any submission when it forks. For each submission it forks a short-lived handler (ahead of time,
while the grader is busy): the handler reads one request, forks the learner's child, relays its
output and result, kills whatever the submission left, wipes the scratch area and exits. A child
can therefore find only its own request in its memory. The child runs the learner's code with
rlimits, its own process group, seccomp and Landlock, stdout/stderr captured, and sends its result
on a private pipe. The zygote (PID 1 under namespaces) and each handler are child subreapers, so
orphans come back to them and are killed. Imports only the standard library, torch and the files
beside it.
"""

from __future__ import annotations

import ctypes
import os

try:
    import resource
except ImportError:  # Windows: the worker runs only on Linux (d2lcoach.sandbox checks), but imports anywhere
    resource = None
import select
import shutil
import signal
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import wire  # noqa: E402
import harness  # noqa: E402  (imports torch's dispatch machinery before any fork)
import drivers  # noqa: E402,F401
import seccomp  # noqa: E402
import landlock  # noqa: E402
from scratch import wipe_tree as _wipe_tree  # noqa: E402
import lazy_dynamo  # noqa: E402
import routines  # noqa: E402

# Everything a learner may import is imported once here, before any fork: the fallback child runs
# as `nobody` and may not be able to read Python's own folders, and a warm import is free.
import collections, dataclasses, functools, itertools, math, typing  # noqa: E401,E402,F401
import numpy  # noqa: E402,F401
import torch.nn.functional  # noqa: E402,F401

lazy_dynamo.defer()

PR_SET_CHILD_SUBREAPER = 36
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
OUTPUT_KEEP = 8192
EVIDENCE_KEEP = 65536
HANDLER_DONE, HANDLER_EOF = 0, 10  # a handler's exit codes: it reported / the grader closed stdin
ISOLATION = os.environ.get("D2LCOACH_ISOLATION", "process")


def _prctl(option, value):
    if not sys.platform.startswith("linux"):
        return  # prctl is Linux's; the portable level never calls it, but keep the guard here too
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _read_exact(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _send(obj, extra: bytes | None = None):
    out = sys.stdout.buffer
    out.write(wire.frame(wire.encode(obj)))
    if extra is not None:
        out.write(wire.frame(extra))
    out.flush()


def _descendants() -> list[int]:
    me = os.getpid()
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rfind(b")") + 2:].split()
        parents[int(entry)] = int(rest[1])
    found = []
    for pid in parents:
        p, hops = pid, 0
        while p in parents and p != me and hops < 4096:
            p, hops = parents[p], hops + 1
        if p == me and pid != me:
            found.append(pid)
    return found


def _children() -> list[int] | None:
    """This process's direct children (pids only), or None where the kernel does not list them."""
    found = []
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    except OSError:
        return None
    return found


def _kill_everything_left(direct: bool = False):
    """SIGKILL every descendant until none is left, and reap them. `direct`: the zygote, which reads
    only the pids of its own children (orphans come back to it), never other processes' names. A
    process without children has no descendants (a subreaper's orphans come back to it as children):
    the whole process table is read only when some child is left."""
    for _ in range(50):
        pids = _children()
        if pids is None:  # the children could not be listed: read the whole table
            pids = _descendants()
        elif pids and not direct:  # children of our own: find their descendants too
            pids = _descendants()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.005)
        _reap()
    _reap()


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _wipe_scratch():
    """Leave nothing of one submission for the next: the scratch area (all of /tmp and /dev/shm in a
    namespace, and the IPC objects there), and make sure the scratch root is there again, as it was."""
    roots = ["/tmp", "/dev/shm"] if ISOLATION == "namespaces" else [_SCRATCH_ROOT]
    for root in roots:
        try:
            _wipe_tree(root, os.lstat(root).st_dev)
        except OSError:
            pass
    if ISOLATION == "namespaces":
        _remove_ipc_objects()
        for root, mode in (("/tmp", 0o1777), ("/dev/shm", 0o1777)):
            try:
                os.chmod(root, mode)
            except OSError:
                pass
    _ensure_scratch_root()


def _ensure_scratch_root():
    global _SCRATCH_ROOT
    if ISOLATION == "namespaces":
        _SCRATCH_ROOT = "/tmp/d2lcoach-scratch"
        os.makedirs(_SCRATCH_ROOT, mode=0o700, exist_ok=True)
        os.chmod(_SCRATCH_ROOT, 0o700)
    elif not os.path.isdir(_SCRATCH_ROOT) or _SCRATCH_ROOT == "/tmp":
        _SCRATCH_ROOT = tempfile.mkdtemp(prefix="d2lcoach-scratch-")
        _bound_scratch(_SCRATCH_ROOT)


_MOUNTED: list[str] = []


def _bound_scratch(root: str):
    """Process fallback as root: a size-capped tmpfs over the scratch root, in a mount namespace of
    the worker's own (bubblewrap gives the namespace level its own capped /tmp). Best effort."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if not _MOUNTED and libc.unshare(0x00020000) != 0:  # CLONE_NEWNS
        return
    libc.mount(b"none", b"/", None, 0x40000 | 0x4000, None)  # MS_PRIVATE | MS_REC: nothing leaks out
    options = f"size={int(os.environ.get('D2LCOACH_SCRATCH_BYTES', 64 << 20))},mode=0700".encode()
    if libc.mount(b"tmpfs", root.encode(), b"tmpfs", 2 | 4 | 8, options) == 0:  # nosuid, nodev, noexec
        _MOUNTED.append(root)


def _remove_ipc_objects():
    """Under namespaces the IPC namespace is the sandbox's own: remove every SysV object in it, so
    none outlives the submission (the seccomp filter already refuses creating them)."""
    libc = None
    for kind, remove in (("shm", "shmctl"), ("sem", "semctl"), ("msg", "msgctl")):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                ids = [int(line.split()[1]) for line in f.read().splitlines()[1:] if line.strip()]
        except (OSError, ValueError, IndexError):
            continue
        for ipc_id in ids:
            libc = libc or ctypes.CDLL(None, use_errno=True)
            if kind == "sem":
                libc.semctl(ipc_id, 0, 0)  # IPC_RMID
            else:
                getattr(libc, remove)(ipc_id, 0, None)


def _probe_seccomp() -> bool:
    """Can a child install the filter here? Try it in a throwaway child."""
    pid = os.fork()
    if pid == 0:
        os._exit(0 if seccomp.install() else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _drain(fd, into: bytearray):
    """Read what is already in the pipe (without waiting for writers that may never close it)."""
    while len(into) < EVIDENCE_KEEP:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            return
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return
        into += chunk[:EVIDENCE_KEEP - len(into)]


def _data_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def apply_limits(limits):
    """The rlimits of one submission, in the process that will run it (Linux and macOS; Windows has
    no `resource`, and the caller's wall clock and process watch are all it gets). Shared by the
    forked child and the portable level's spare."""
    if resource is None:
        return
    mem = int(limits.get("memory_bytes", 0))
    if mem and sys.platform.startswith("linux"):
        if not limits.get("cuda"):
            resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + mem,) * 2)
        else:  # CUDA reserves huge address ranges: bound the data segment instead
            resource.setrlimit(resource.RLIMIT_DATA, (_data_bytes() + mem,) * 2)
    # Elsewhere (macOS) the address space cannot be measured from /proc and RLIMIT_AS is not enforced:
    # the portable level's parent watches the submission's resident memory instead.
    cpu = int(limits.get("cpu_seconds", 0))
    if cpu:
        _setrlimit("RLIMIT_CPU", (cpu, cpu + 1))
    nproc = int(limits.get("processes", 0))
    if nproc:
        _setrlimit("RLIMIT_NPROC", (nproc, nproc))
    _setrlimit("RLIMIT_FSIZE", (int(limits.get("file_bytes", 1 << 24)),) * 2)
    _setrlimit("RLIMIT_CORE", (0, 0))


def _setrlimit(name: str, value: tuple[int, int]):
    """Set one rlimit. On Linux a refusal stops the child (no result: a failing grade), as always;
    where the system refuses a value (macOS caps some hard limits), lower what can be lowered."""
    which = getattr(resource, name, None)
    if which is None:
        return
    try:
        resource.setrlimit(which, value)
    except (ValueError, OSError):
        if sys.platform.startswith("linux"):
            raise
        soft, hard = resource.getrlimit(which)
        try:
            resource.setrlimit(which, (min(value[0], hard) if hard != resource.RLIM_INFINITY else value[0],) * 2)
        except (ValueError, OSError):
            pass


def run_submission(request, result_w):
    """Run one submission in this process and send its result, framed, on `result_w`.

    The child-side code that every level shares: the forked child (below) and the portable level's
    spare (spare.py) call it once they have locked themselves down; fds 1 and 2 are the capture."""
    sys.stdout = open(1, "w", closefd=False, encoding="utf-8")
    sys.stderr = open(2, "w", closefd=False, encoding="utf-8")
    result = harness.run_request(request)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - learner code may have replaced or closed it
            pass
    try:
        payload = wire.encode(result)
    except Exception as exc:  # noqa: BLE001
        payload = wire.encode({"load_error": {"type": "ResultError",
                                              "message": f"could not send the result: {exc}",
                                              "trace": ""}, "missing": [], "runs": []})
    os.write(result_w, struct.pack(">Q", len(payload)))
    view = memoryview(payload)
    while view:
        n = os.write(result_w, view)
        view = view[n:]


def _child(request, limits, result_w, capture_w, scratch, evidence_w):
    """In the forked child: lock down, run the submission, send the result, exit."""
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(capture_w, 1)
        os.dup2(capture_w, 2)
        keep = {0, 1, 2, result_w, evidence_w}
        for fd in os.listdir("/proc/self/fd"):
            fd = int(fd)
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.chdir(scratch)
        if ISOLATION == "process" and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(_CHILD_UID)
            os.setuid(_CHILD_UID)
        apply_limits(limits)
        # The processes grading this child: its handler (the parent) and the zygote.
        protected = (os.getppid(), _ZYGOTE_PID)
        if not (_SECCOMP and seccomp.install(protected, unix_sockets=ISOLATION == "namespaces",
                                             threads=bool(limits.get("cuda")))):
            _prctl(PR_SET_NO_NEW_PRIVS, 1)
        devices = list(landlock.DEVICE_FILES)
        if limits.get("cuda"):
            devices += [os.path.join("/dev", n) for n in os.listdir("/dev") if n.startswith("nvidia")]
        landlock.restrict(["."], devices)  # the scratch folder, by the cwd (its path may not be searchable)
        run_submission(request, result_w)
    except BaseException:  # noqa: BLE001
        pass
    finally:
        os._exit(0)


def _grade(message):
    """In the handler: grade one submission in a fresh child and send the report."""
    request, limits = message["request"], message["limits"]
    _ensure_scratch_root()
    scratch = tempfile.mkdtemp(prefix="submission-", dir=_SCRATCH_ROOT)
    if ISOLATION == "process" and os.geteuid() == 0:
        os.chown(scratch, _CHILD_UID, _CHILD_UID)
    result_r, result_w = os.pipe()
    capture_r, capture_w = os.pipe()
    evidence_r, evidence_w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(result_r)
        os.close(capture_r)
        os.close(evidence_r)
        harness._Evidence.fd = evidence_w
        _child(request, limits, result_w, capture_w, scratch, evidence_w)
    os.close(result_w)
    os.close(capture_w)
    os.close(evidence_w)
    evidence = bytearray()
    deadline = start + float(limits.get("wall_seconds", 30))
    max_result = int(limits.get("result_bytes", 64 << 20))
    captured = bytearray()
    dropped = 0
    result = bytearray()
    expected = None
    status = None
    exit_status = None
    open_fds = {result_r, capture_r, evidence_r}
    # RLIMIT_NPROC does not hold for a grader running as root (uid 0 outside the namespace), so the
    # worker also counts the submission's processes itself, ten times a second.
    max_procs = int(limits.get("processes", 0))
    next_count = start + 0.1  # at the start there is only the child
    while open_fds:
        now = time.monotonic()
        timeout = deadline - now
        if timeout <= 0:
            status = "timeout"
            break
        if max_procs and now >= next_count:
            next_count = now + 0.1
            if len(_descendants()) > max_procs:
                status = "too_many_processes"
                break
        ready, _, _ = select.select(list(open_fds), [], [], min(timeout, 0.1))
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_fds.discard(fd)
                continue
            if fd == evidence_r:
                evidence += chunk[:max(EVIDENCE_KEEP - len(evidence), 0)]
                continue
            if fd == capture_r:
                room = OUTPUT_KEEP - len(captured)
                captured += chunk[:max(room, 0)]
                dropped += max(len(chunk) - max(room, 0), 0)
            else:
                result += chunk
                if expected is None and len(result) >= 8:
                    (expected,) = struct.unpack(">Q", bytes(result[:8]))
                if len(result) > max_result + 8 or (expected is not None and expected > max_result):
                    status = "too_large"
                    open_fds.clear()
                    break
        if expected is not None and len(result) >= expected + 8:
            _drain(evidence_r, evidence)
            break
        if not ready:
            try:
                wpid, wstatus = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                wpid, wstatus = pid, 0
            if wpid == pid:
                exit_status = wstatus
                if result_r not in open_fds:
                    break
    seconds = time.monotonic() - start
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if exit_status is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, exit_status = os.waitpid(pid, 0)
        except ChildProcessError:
            exit_status = None
    _kill_everything_left()  # the handler is a subreaper: the submission's orphans are its own
    _drain(evidence_r, evidence)
    os.close(result_r)
    os.close(capture_r)
    os.close(evidence_r)
    _wipe_scratch()  # this submission's folder too: it lives under the scratch root
    payload = None
    if status is None:
        if expected is not None and len(result) >= expected + 8:
            status = "ok"
            payload = bytes(result[8:8 + expected])
        else:
            status = "no_result"
    info = {"status": status, "seconds": seconds, "output": captured.decode("utf-8", "replace"),
            "evidence": evidence.decode("utf-8", "replace").splitlines(),
            "output_dropped": dropped, "exit": None, "signal": None}
    if exit_status is not None:
        if os.WIFSIGNALED(exit_status):
            info["signal"] = os.WTERMSIG(exit_status)
        elif os.WIFEXITED(exit_status):
            info["exit"] = os.WEXITSTATUS(exit_status)
    _send(info, payload)


# Warm the dispatcher, autograd, the meta kernels and the recorders once, before any fork: their
# lazy imports (about a second) would otherwise be paid again by every child.
def warm():
    """The warm-up every level shares: one thread, autograd, the optimisers, the recorders and the
    refusing code of forbidden routines (the zygote before it forks; the portable spare before it
    waits for its one submission)."""
    torch.set_num_threads(1)
    warm_cpu()
    routines.warm()  # each child then copies the refusing code of a forbidden routine, never compiles it


def warm_cpu():
    """Autograd, the optimisers and both recorders, on the CPU."""
    with harness._OpRecorder(set()), harness._FunctionRecorder(set()):
        x = torch.ones(2, 3, requires_grad=True)
        y = (x - x.max(1, keepdim=True).values).exp() @ x.t()
        (y * torch.ones_like(y)).sum().backward()
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh())
    for optimizer in (torch.optim.SGD(net.parameters(), lr=0.1), torch.optim.Adam(net.parameters(), lr=0.1)):
        optimizer.zero_grad()
        torch.nn.BCEWithLogitsLoss()(net(torch.ones(3, 2)), torch.ones(3, 2)).backward()
        optimizer.step()


def warm_meta():
    """The meta device's kernels (torch imports its Python decompositions, and sympy, on first use).

    Run at start-up only when the grader asks (`--warm-meta`: its devices include meta): without
    CUDA the stand-in GPU (standin.py) grades in meta's place, and this warm-up would cost every
    `check` 0.6 s of the worker's start. A child cannot import what meta needs itself where the
    process level runs it as `nobody` and Python's own files are not readable by that user."""
    with harness._OpRecorder(set(), meta=True):
        m = torch.ones(2, 3).to("meta", copy=True)
        (m - m.max(1, keepdim=True).values).exp().sum(1, keepdim=True)
        torch.nn.functional.pad(m[None, None], (1, 1, 1, 1)).unfold(2, 2, 1)
    routines.warm()  # meta imported more decompositions: read them again, before any fork


def main():
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    warm()
    if "--warm-meta" in sys.argv[1:]:
        warm_meta()
    _ensure_scratch_root()
    global _SECCOMP
    _SECCOMP = _probe_seccomp()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    _send({"status": "ready", "pid": os.getpid(), "isolation": ISOLATION, "seccomp": _SECCOMP})
    while _serve_one():
        pass
    for root in _MOUNTED:
        ctypes.CDLL(None).umount2(root.encode(), 2)  # MNT_DETACH
    shutil.rmtree(_SCRATCH_ROOT, ignore_errors=True)


def _serve_one() -> bool:
    """In the zygote: fork a handler for the next request, wait for it, clean up after it.

    The zygote itself never reads stdin: the handler reads the request, so no submission's data
    ever enters the zygote's memory. Returns False once the grader has closed the channel."""
    started_r, started_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(started_r)
        code = 1
        try:
            code = _handle(started_w)
        except BaseException:  # noqa: BLE001
            pass
        finally:
            os._exit(code)
    os.close(started_w)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    _kill_everything_left(direct=True)
    started = bool(select.select([started_r], [], [], 0)[0]) and os.read(started_r, 1) == b"r"
    os.close(started_r)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    if code == HANDLER_EOF:
        return False
    if code != HANDLER_DONE:
        if started:  # the submission stopped its handler before it reported: say so
            _send({"status": "handler_died", "seconds": 0.0, "output": "", "evidence": [],
                   "output_dropped": 0, "exit": None, "signal": None})
        _clean_in_fork()
    return True


def _clean_in_fork():
    """Wipe the scratch area in a throwaway process, so that not even file names enter the zygote."""
    pid = os.fork()
    if pid == 0:
        try:
            _wipe_scratch()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    _ensure_scratch_root()


def _handle(started_w: int) -> int:
    """In a handler (a fresh fork of the zygote): read one request, serve it, exit."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    stdin = sys.stdin.buffer.fileno()
    head = _read_exact(stdin, 8)
    if head is None:
        return HANDLER_EOF
    os.write(started_w, b"r")
    (n,) = struct.unpack(">Q", head)
    body = _read_exact(stdin, n)
    if body is None:
        return HANDLER_EOF
    message = wire.strip(wire.decode(body))
    if message.get("op") == "grade":
        _grade(message)
    elif message.get("op") == "ping":
        _send({"status": "pong"})
    return HANDLER_DONE


_SCRATCH_ROOT = "/tmp"
_SECCOMP = False
_ZYGOTE_PID = os.getpid()
# Process level as root: each worker's children run as a uid of their own (not shared `nobody`),
# so submissions graded side by side cannot signal each other or share a process count.
_CHILD_UID = 61000 + os.getpid() % 4000

if __name__ == "__main__":
    main()
