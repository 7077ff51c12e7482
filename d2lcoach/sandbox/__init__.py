"""The sandbox: one entry point, `Sandbox`, that runs learner code in a locked-down child and returns plain data.

Three isolation levels:
- `namespaces`: bubblewrap (`bwrap`) with new user, PID, network, IPC, UTS and cgroup namespaces, a
  read-only view of Python and torch only (torchvision, d2lcoach, the course, the workspace hidden),
  a read-only root and /dev, a private capped /tmp and a tiny /dev/shm (both wiped after each
  submission), no capabilities, `--die-with-parent --new-session`; rlimits inside.
- `process`: where namespaces are not available: a separate process in its own session with
  rlimits, run as `nobody` when the grader runs as root, killed by process group and as a subreaper.
- `portable`: where neither works (macOS, Windows), or when forced: a fresh interpreter per
  submission started by `subprocess` (no fork), with the rlimits the system has, a wall clock and a
  process-tree watch and kill (psutil); see portable.py.
At the first two, a warm worker imports torch once per sandbox and forks a fresh child per
submission; at `portable` a warm spare interpreter waits for each submission and grades only it.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
NAMESPACES = "namespaces"
PROCESS = "process"
PORTABLE = "portable"
LEVEL_TEXT = {
    NAMESPACES: "namespaces (bubblewrap: no network, own PID space, read-only Python and torch only)",
    PROCESS: "process (weaker: separate process, rlimits and process-group kill; no namespaces)",
    PORTABLE: ("portable (weakest: a fresh interpreter per submission, rlimits where the system has them, "
               "a wall clock and a process-tree kill; no namespaces, seccomp or Landlock)"),
}
#: The levels that fork a warm worker: Linux only.
FORK_LEVELS = (NAMESPACES, PROCESS)
_STARTUP_SECONDS = 60.0
#: The sandbox's private /tmp (a tmpfs in memory) holds at most this much.
SCRATCH_BYTES = 64 << 20
#: /dev/shm inside the namespace sandbox (a submission's child cannot write there; Landlock).
SHM_BYTES = 1 << 20
_MAX_FRAME = 256 << 20


class SandboxError(RuntimeError):
    """The sandbox itself could not run (not a learner's fault)."""


class NoSandboxHere(SandboxError):
    """No sandbox level exists on this system (macOS, Windows): nothing can be graded here at all."""


@dataclasses.dataclass
class Limits:
    wall_seconds: float = 30.0
    cpu_seconds: int = 60
    memory_bytes: int = 2 << 30
    processes: int = 64
    file_bytes: int = 16 << 20
    result_bytes: int = 64 << 20
    cuda: bool = False


@dataclasses.dataclass
class Outcome:
    """What came back from one submission: the worker's report and the child's decoded result."""

    status: str  # ok | timeout | no_result | too_large | too_many_processes | bad_result | worker_died
    result: dict | None
    output: str = ""
    output_dropped: int = 0
    seconds: float = 0.0
    exit: int | None = None
    signal: int | None = None
    detail: str = ""
    evidence: list[str] = dataclasses.field(default_factory=list)  # operators seen, streamed out at once


def read_result(payload: bytes) -> tuple[dict | None, str | None]:
    """Decode and check a child's result: (the result, None) or (None, why it is malformed)."""
    from d2lcoach.sandbox.result_shape import result_problem
    from d2lcoach.sandbox.runtime import wire
    try:
        result = wire.decode(payload)
    except (wire.WireError, RecursionError) as exc:
        return None, str(exc)
    problem = result_problem(result)
    return (result, None) if problem is None else (None, problem)


def _bwrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    try:
        probe = subprocess.run(
            [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
             "--dev", "/dev", "true"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


#: The names of the systems where only the portable level works, for one-line errors.
_SYSTEM_NAMES = {"darwin": "macOS", "win32": "Windows", "cygwin": "Cygwin"}


def _on_linux() -> bool:
    return sys.platform.startswith("linux")


def _require_linux(level: str) -> None:
    """The fork-based levels need Linux (bubblewrap; prctl, seccomp, Landlock, /proc and fork in the
    worker): elsewhere, a SandboxError that says so, before anything Linux-only is touched."""
    if not _on_linux():
        system = _SYSTEM_NAMES.get(sys.platform, sys.platform)
        raise NoSandboxHere(f"the {level} sandbox level needs Linux, and this is {system}: "
                            f"use the portable level (D2LCOACH_SANDBOX=portable, or leave it unset)")


@functools.lru_cache(maxsize=None)
def available_level() -> str:
    """The strongest isolation this machine offers, unless D2LCOACH_SANDBOX forces one.

    Linux: namespaces where bubblewrap works, else process. Elsewhere (macOS, Windows): portable,
    the only level that needs neither fork nor Linux. D2LCOACH_SANDBOX=portable forces it anywhere."""
    forced = os.environ.get("D2LCOACH_SANDBOX", "").strip().lower()
    if forced and forced not in LEVEL_TEXT:
        raise SandboxError(f"D2LCOACH_SANDBOX={forced} names no sandbox level; use one of "
                           f"{', '.join(LEVEL_TEXT)} (or leave it unset)")
    if forced == PORTABLE:
        return PORTABLE
    if not _on_linux():
        if forced:
            _require_linux(forced)
        return PORTABLE
    if forced == PROCESS:
        return PROCESS
    if _bwrap_works():
        return NAMESPACES
    if forced == NAMESPACES:
        raise SandboxError("D2LCOACH_SANDBOX=namespaces, but bubblewrap (bwrap) cannot create namespaces here")
    return PROCESS


def _hidden_paths(extra_hidden: list[Path]) -> list[Path]:
    """Folders under the bound Python prefixes that the child must not see."""
    hidden = [Path(__file__).resolve().parent.parent]  # the d2lcoach package (and the course)
    try:
        import importlib.util
        spec = importlib.util.find_spec("torchvision")
        if spec and spec.origin:
            hidden.append(Path(spec.origin).resolve().parent)
    except (ImportError, ValueError):
        pass
    return hidden + [Path(p).resolve() for p in extra_hidden]


def _bwrap_command(worker: Path, extra_hidden: list[Path], cuda: bool, scratch_bytes: int) -> list[str]:
    prefixes = []
    for p in {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
              Path(sys.executable).resolve().parent.parent}:
        if not any(str(p).startswith(str(q) + os.sep) or p == q for q in [Path("/usr")]):
            prefixes.append(p)
    prefixes = sorted(set(prefixes), key=lambda p: len(str(p)))
    # /tmp first: a checkout or venv that lives under /tmp is bound on top of it below.
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--clearenv", "--as-pid-1",
           "--cap-drop", "ALL", "--size", str(scratch_bytes), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/localtime", "/etc/localtime"]
    venv_link = Path(sys.prefix) / "bin" / "python"
    for prefix in prefixes:
        cmd += ["--ro-bind", str(prefix), str(prefix)]
    # Keep the venv's own path too (sys.prefix may be a symlinked path).
    if str(Path(sys.prefix)) not in [str(p) for p in prefixes]:
        cmd += ["--ro-bind", str(Path(sys.prefix)), str(Path(sys.prefix))]
    for hidden in _hidden_paths(extra_hidden):
        if any(str(hidden).startswith(str(p) + os.sep) for p in prefixes + [Path("/usr")]):
            cmd += ["--tmpfs", str(hidden), "--remount-ro", str(hidden)]
    # Nothing writable may outlive a submission: /dev read-only, a tiny /dev/shm (wiped like /tmp),
    # and the root itself read-only (below); /tmp is the capped, wiped scratch tmpfs.
    cmd += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--size", str(SHM_BYTES),
            "--tmpfs", "/dev/shm", "--ro-bind", str(RUNTIME_DIR), "/d2lcoach-runtime"]
    if cuda:
        for dev in sorted(Path("/dev").glob("nvidia*")):
            cmd += ["--dev-bind", str(dev), str(dev)]
        cmd += ["--ro-bind-try", "/proc/driver/nvidia", "/proc/driver/nvidia"]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "D2LCOACH_ISOLATION": NAMESPACES, "LANG": "C.UTF-8"}
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--remount-ro", "/", "--chdir", "/tmp", str(venv_link if venv_link.exists() else sys.executable), "-s", "-B",
            "/d2lcoach-runtime/worker.py"]
    return cmd


class _PidsCgroup:
    """A pids cgroup around one sandbox, where the grader may make one (root, cgroup v1 or v2).

    RLIMIT_NPROC does not bind processes whose real user is root, so a grader running as root
    (CI, containers) caps the sandbox's tasks here; elsewhere the rlimit and the worker's own count
    hold. The cap is set before each submission: the tasks the worker has now plus the limit.
    """

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, path: Path):
        self.path = path
        self.procs = path / "cgroup.procs"

    @classmethod
    def create(cls) -> "_PidsCgroup | None":
        if os.geteuid() != 0 or os.environ.get("D2LCOACH_NO_CGROUP"):
            return None
        for root in cls.ROOTS:
            if not (root / "cgroup.procs").exists():
                continue
            if root == Path("/sys/fs/cgroup") and "pids" not in _read(root / "cgroup.controllers"):
                continue
            cls._remove_stale(root)
            path = root / f"d2lcoach-{os.getpid()}-{next(_COUNTER)}"
            try:
                path.mkdir()
                if not (path / "pids.max").exists():
                    path.rmdir()
                    continue
                return cls(path)
            except OSError:
                continue
        return None

    @staticmethod
    def _remove_stale(root: Path):
        """Groups left by a grader that was killed (its pid is gone and they hold no task)."""
        for group in root.glob("d2lcoach-*-*"):
            try:
                owner = int(group.name.split("-")[1])
                os.kill(owner, 0)
            except ProcessLookupError:
                try:
                    group.rmdir()  # fails while tasks remain: then it is not stale yet
                except OSError:
                    pass
            except (ValueError, PermissionError, OSError):
                continue

    def allow_more(self, processes: int):
        try:
            current = int(_read(self.path / "pids.current") or 0)
            (self.path / "pids.max").write_text(str(current + processes))
        except (OSError, ValueError):
            pass

    def remove(self):
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)  # the last tasks are still exiting


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


_COUNTER = itertools.count()


class Sandbox:
    """A warm sandboxed worker. `run()` grades one submission in a fresh child; the worker survives.

    Start it early (`start()` returns at once): importing torch in the worker overlaps with the
    parent's own work. If a submission kills the worker, the next `run()` starts a new one.
    """

    def __init__(self, level: str | None = None, *, hidden: list[Path] | None = None, cuda: bool = False,
                 meta: bool = False):
        self.level = level or available_level()
        self.hidden = list(hidden or [])
        self.cuda = cuda
        self.meta = meta  # warm the meta device in the worker (only `--device meta` grades there)
        self._proc: subprocess.Popen | None = None
        self._cgroup: _PidsCgroup | None = None
        self._ready = False
        self.worker_starts = 0
        self.seccomp: bool | None = None
        self._spares = None  # the portable level's SpareSupply

    @property
    def level_text(self) -> str:
        extra = {True: " + seccomp filter", False: " (no seccomp filter)", None: ""}[self.seccomp]
        return LEVEL_TEXT[self.level] + extra

    def start(self) -> "Sandbox":
        if self.level == PORTABLE:
            if self._spares is None:
                from d2lcoach.sandbox.portable import SpareSupply
                self._spares = SpareSupply(RUNTIME_DIR, _STARTUP_SECONDS)
            before = self._spares.started
            self._spares.start()
            self.worker_starts += self._spares.started - before
            return self
        if self._proc is not None and self._proc.poll() is None:
            return self
        _require_linux(self.level)
        worker = RUNTIME_DIR / "worker.py"
        if self.level == NAMESPACES:
            cmd = _bwrap_command(worker, self.hidden, self.cuda, SCRATCH_BYTES)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        else:
            cmd = [sys.executable, "-s", "-B", str(worker)]
            env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "D2LCOACH_ISOLATION": PROCESS,
                   "LANG": "C.UTF-8", "D2LCOACH_SCRATCH_BYTES": str(SCRATCH_BYTES)}
        if self.meta:
            cmd.append("--warm-meta")
        self._cgroup = _PidsCgroup.create()
        if self._cgroup is not None:
            # Join the cgroup first, then become the sandbox: every process it ever forks is counted.
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self._cgroup.procs), *cmd]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, env=env, cwd="/",
                                      start_new_session=True, close_fds=True)
        self._ready = False
        self.worker_starts += 1
        return self

    def _read_frame(self, deadline: float) -> bytes | None:
        fd = self._proc.stdout.fileno()
        head = self._read_exact(fd, 8, deadline)
        if head is None:
            return None
        (n,) = struct.unpack(">Q", head)
        if n > _MAX_FRAME:
            return None
        return self._read_exact(fd, n, deadline)

    @staticmethod
    def _read_exact(fd: int, n: int, deadline: float) -> bytes | None:
        chunks = []
        while n:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def wait_ready(self):
        """Block until the worker has imported torch and said hello (SandboxError if it cannot)."""
        if self.level == PORTABLE:
            self.start()
            if self._spares.wait_ready() is None:
                raise SandboxError(f"the sandbox's spare interpreter ({self.level}) did not start")
            self.seccomp = None  # not a filter this level has, or lacks: say nothing of it
            return
        if self._ready:
            return
        from d2lcoach.sandbox.runtime import wire
        frame = self._read_frame(time.monotonic() + _STARTUP_SECONDS)
        if frame is None:
            self.close()
            raise SandboxError(f"the sandbox worker ({self.level}) did not start")
        hello = wire.decode(frame)
        if not isinstance(hello, dict) or hello.get("status") != "ready":
            self.close()
            raise SandboxError("the sandbox worker sent an unexpected greeting")
        self.seccomp = bool(hello.get("seccomp"))
        self._ready = True

    def run(self, request: dict, limits: Limits) -> Outcome:
        """Grade one submission; always returns an Outcome (a failure of learner code is a status)."""
        from d2lcoach.sandbox.runtime import wire
        self.start()
        self.wait_ready()
        message = {"op": "grade", "request": request, "limits": dataclasses.asdict(limits)}
        if self.level == PORTABLE:
            info, payload = self._spares.grade(wire.frame(wire.encode(message)), limits)
            if info["status"] == "worker_died":
                return Outcome("worker_died", None, detail="the grading was stopped before the submission answered")
            return self._outcome(info, payload)
        if self._cgroup is not None:
            self._cgroup.allow_more(limits.processes)
        try:
            self._proc.stdin.write(wire.frame(wire.encode(message)))
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()
            return Outcome("worker_died", None, detail="the sandbox worker was gone before grading")
        deadline = time.monotonic() + limits.wall_seconds + 15.0
        frame = self._read_frame(deadline)
        info = None
        if frame is not None:
            try:
                info = wire.decode(frame, max_elements=0)
            except wire.WireError:
                info = None
        if isinstance(info, dict) and info.get("status") == "handler_died":
            # The zygote survived and cleaned up: the sandbox stays warm.
            return Outcome("worker_died", None, detail="the submission stopped the process grading it")
        if not isinstance(info, dict) or info.get("status") not in (
                "ok", "timeout", "no_result", "too_large", "too_many_processes"):
            killed = self._proc.poll() is not None
            self.close()
            detail = ("the submission stopped the grading worker" if killed or frame is None
                      else "the grading worker sent a malformed report")
            return Outcome("worker_died", None, detail=detail)
        payload = None
        if info["status"] == "ok":
            payload = self._read_frame(time.monotonic() + 30)
            if payload is None:
                self.close()
                return Outcome("worker_died", None, detail="the grading worker stopped mid-answer")
        outcome = self._outcome(info, payload)
        if self._proc is not None:
            ready, _, _ = select.select([self._proc.stdout.fileno()], [], [], 0)
            if ready:  # bytes nobody asked for: someone wrote into our pipe; trust this worker no more
                self.close()
                return Outcome("worker_died", None, detail="the submission wrote into the grader's channel")
        return outcome

    @staticmethod
    def _outcome(info: dict, payload: bytes | None) -> Outcome:
        """The Outcome of a handler's report (fork levels) or a spare's (portable), and its result."""
        outcome = Outcome(
            status=info["status"], result=None, output=str(info.get("output", ""))[:8192],
            output_dropped=int(info.get("output_dropped") or 0), seconds=float(info.get("seconds") or 0.0),
            exit=info.get("exit"), signal=info.get("signal"),
            evidence=[e for e in (info.get("evidence") or []) if isinstance(e, str)][:4096])
        if outcome.status == "ok":
            outcome.result, problem = read_result(payload)
            if problem is not None:
                outcome.status, outcome.detail = "bad_result", f"the submission sent a malformed result ({problem})"
        return outcome

    def interrupt(self):
        """Kill the worker and its children now, from any thread (watch's `q` during a check): a run()
        in progress returns `worker_died` at once, and the next run() starts a fresh worker."""
        if self._spares is not None:
            self._spares.interrupt()
            return
        proc = self._proc
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self):
        if self._spares is not None:
            self._spares.close()
        proc, self._proc = self._proc, None
        self._ready = False
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.kill()
        except OSError:
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self._cgroup is not None:
            self._cgroup.remove()
            self._cgroup = None

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc):
        self.close()
