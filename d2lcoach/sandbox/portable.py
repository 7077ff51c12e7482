"""The portable isolation level, the grader's side: a fresh interpreter per submission, a warm spare ahead.

No fork and nothing Linux-only, so it works on macOS and Windows, and on Linux when forced
(`D2LCOACH_SANDBOX=portable`). Each submission runs in its own interpreter started by `subprocess`
(runtime/spare.py), which imported torch and ran the worker's warm-up before the submission came;
it grades exactly one and exits. The next spare starts warming as soon as a grade ends, so a learner
who saves more slowly than a spare warms never waits for torch's import.

What this level gives, on every system: a separate process with a minimal environment, started in a
fresh, empty scratch folder that is wiped afterwards; the wall clock; a watch ten times a second on
every process of the submission (psutil), which counts them against the process limit, adds their
resident memory against the memory limit, and kills them all at the end. Where `resource` exists
(Linux, macOS) the rlimits of the other levels too (CPU, file size, processes, and on Linux the
address space). What it does not give: no namespaces, seccomp or Landlock, so the file system, the
network and the user's other processes are as open to the submission as to the learner who runs it.
The grader's verdict, the reference answers and the grader's files stay in this process, as always.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PORTABLE = "portable"
#: Output and evidence kept per submission, as the worker keeps them.
OUTPUT_KEEP = 8192
EVIDENCE_KEEP = 65536
_HELLO_BYTES = 1 << 20
_WATCH_SECONDS = 0.1
#: The environment variable that marks a spare's processes (see _Spare.kill_escaped).
TOKEN_VARIABLE = "D2LCOACH_SPARE"


def _psutil():
    import psutil  # a dependency; imported late, as the other levels never need it
    return psutil


def _inheritable_pipe() -> tuple[int, int, dict, str]:
    """A pipe whose write end the spare inherits: (read fd, write fd, Popen's extra arguments, argv)."""
    return _windows_pipe() if sys.platform == "win32" else _unix_pipe()


def _unix_pipe() -> tuple[int, int, dict, str]:
    read, write = os.pipe()
    return read, write, {"pass_fds": (write,), "start_new_session": True}, f"fd:{write}"


def _windows_pipe() -> tuple[int, int, dict, str]:  # pragma: no cover - runs only on Windows
    """Windows has no pass_fds: the write end's handle is made inheritable and named to the child,
    which turns it back into a file descriptor (spare.py); only that handle is inherited."""
    import msvcrt
    read, write = os.pipe()
    handle = msvcrt.get_osfhandle(write)
    os.set_handle_inheritable(handle, True)
    info = subprocess.STARTUPINFO(lpAttributeList={"handle_list": [handle]})
    flags = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
    return read, write, {"startupinfo": info, "creationflags": flags}, f"handle:{handle}"


def _environment(scratch: str, token: str) -> dict:
    """The spare's whole environment: nothing of the grader's (tokens, secrets) but what Python needs,
    and the spare's own mark (TOKEN_VARIABLE), which every process it starts inherits unless it scrubs it."""
    env = {TOKEN_VARIABLE: token, "PATH": os.defpath if sys.platform != "win32" else os.environ.get("PATH", ""),
           "HOME": scratch, "TMPDIR": scratch, "TEMP": scratch, "TMP": scratch,
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "D2LCOACH_ISOLATION": PORTABLE, "LANG": "C.UTF-8"}
    if sys.platform == "win32":  # pragma: no cover - Python and its DLLs need these on Windows
        for name in ("SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "PATHEXT", "USERPROFILE"):
            if name in os.environ:
                env[name] = os.environ[name]
    return env


class _Spare:
    """One interpreter, warming or warm, that will grade one submission: its process and its readers."""

    def __init__(self, runtime: Path):
        # The submission's folder is one level down in a folder of its own, so that "the folder above
        # mine" is this spare's, not the machine's /tmp (as the fork levels' scratch root is theirs).
        self.scratch = tempfile.mkdtemp(prefix="d2lcoach-portable-")
        work = os.path.join(self.scratch, "submission")
        os.mkdir(work, 0o700)
        evidence_r, evidence_w, extra, spec = _inheritable_pipe()
        self.token = secrets.token_hex(16)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-s", "-B", str(runtime / "spare.py"), spec],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=work, env=_environment(work, self.token), close_fds=True, **extra)
        except OSError:
            os.close(evidence_r)
            _remove(self.scratch)
            raise
        finally:
            os.close(evidence_w)
        self.ready = False
        self.max_frame = _HELLO_BYTES
        self.frames: queue.Queue = queue.Queue()
        self.output = bytearray()
        self.dropped = 0
        self.evidence = bytearray()
        self.seen: dict[int, object] = {}  # pid -> psutil.Process, every process of the submission seen
        self._evidence_file = os.fdopen(evidence_r, "rb", buffering=0)
        self._threads = [threading.Thread(target=target, daemon=True, name=f"d2lcoach-spare-{name}")
                         for name, target in (("frames", self._read_frames), ("output", self._read_output),
                                              ("evidence", self._read_evidence))]
        for thread in self._threads:
            thread.start()

    def _read_frames(self):
        stream = self.proc.stdout
        try:
            while True:
                head = stream.read(8)
                if len(head) < 8:
                    break
                (n,) = struct.unpack(">Q", head)
                if n > self.max_frame:
                    self.frames.put(("too_large", None))
                    return
                body = stream.read(n)
                if len(body) < n:
                    break
                self.frames.put(("frame", body))
        except (OSError, ValueError):
            pass
        finally:
            _close(stream)
        self.frames.put(("eof", None))

    def _read_output(self):
        try:
            while chunk := self.proc.stderr.read1(1 << 16):
                room = max(OUTPUT_KEEP - len(self.output), 0)
                self.output += chunk[:room]
                self.dropped += len(chunk) - min(room, len(chunk))
        except (OSError, ValueError):
            pass
        finally:
            _close(self.proc.stderr)

    def _read_evidence(self):
        try:
            while chunk := self._evidence_file.read(1 << 16):
                self.evidence += chunk[:max(EVIDENCE_KEEP - len(self.evidence), 0)]
        except (OSError, ValueError):
            pass
        finally:
            _close(self._evidence_file)

    def watch(self) -> tuple[int, int]:
        """Note every process of the submission now alive: (how many, their resident bytes)."""
        psutil = _psutil()
        try:
            root = psutil.Process(self.proc.pid)
            tree = [root] + root.children(recursive=True)
        except psutil.Error:
            tree = []
        rss = 0
        for process in tree:
            self.seen.setdefault(process.pid, process)
            try:
                rss += process.memory_info().rss
            except psutil.Error:
                pass
        return len(tree), rss

    def kill(self):
        """Kill the spare and every process of its submission that was ever seen, then reap it."""
        psutil = _psutil()
        if self.proc.poll() is None:
            self.watch()
        if sys.platform != "win32":
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its session's group: what setsid did not leave
            except (ProcessLookupError, PermissionError, AttributeError):
                pass
        for _ in range(3):  # children started while we killed: look again
            for process in list(self.seen.values()):
                try:
                    for child in process.children(recursive=True):
                        self.seen.setdefault(child.pid, child)
                except psutil.Error:
                    pass
            for process in list(self.seen.values()):
                try:
                    process.kill()  # psutil checks the pid still names the process it saw (no reuse)
                except psutil.Error:
                    pass
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _close(self.proc.stdin)  # only stdin: the readers close stdout and stderr (see finish)

    def kill_escaped(self) -> int:
        """Kill the processes that left the spare's tree (setsid and a double fork, before the watch saw
        them) but still carry its mark in their environment; how many. The tree is all that every
        system can follow; this finds what a submission that does not scrub its environment left."""
        psutil = _psutil()
        killed = 0
        for process in psutil.process_iter():
            try:
                if process.pid != os.getpid() and process.environ().get(TOKEN_VARIABLE) == self.token:
                    process.kill()
                    killed += 1
            except psutil.Error:
                continue
        return killed

    def finish(self):
        """After kill(): let the readers take what the pipes still hold, close them, wipe the folder.

        Each reader closes its pipe when the pipe ends. A reader still waiting once the spare is dead
        means a process outside the tree holds a pipe: those that carry the spare's mark are killed; a
        pipe still held after that stays with its reader until the process lets it go (closing a
        stream under a reading thread would block this one for good)."""
        for thread in self._threads:
            thread.join(timeout=0.5)
        if any(thread.is_alive() for thread in self._threads):
            self.kill_escaped()
            for thread in self._threads:
                thread.join(timeout=2.0)
        _remove(self.scratch)


def _close(stream):
    try:
        stream.close()
    except (OSError, ValueError):
        pass


def _remove(folder: str):
    if os.open in os.supports_dir_fd:
        from d2lcoach.sandbox.runtime.scratch import wipe_tree
        try:
            wipe_tree(folder, os.lstat(folder).st_dev)  # iterative: a 1,500-deep chain cannot stop it
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


class SpareSupply:
    """The spares of one Sandbox at the portable level: at most one warming or warm at a time."""

    def __init__(self, runtime: Path, startup_seconds: float):
        self.runtime = runtime
        self.startup_seconds = startup_seconds
        self._spare: _Spare | None = None
        self._running: _Spare | None = None
        self._interrupted = False
        self.started = 0

    def start(self):
        """Make sure a spare is warming (returns at once)."""
        if self._spare is not None and (self._spare.ready or self._spare.proc.poll() is None):
            return
        if self._spare is not None:
            self._discard(self._spare)
        self._spare = _Spare(self.runtime)
        self.started += 1

    @property
    def warm(self) -> bool:
        return self._spare is not None and self._spare.ready

    def wait_ready(self) -> dict | None:
        """Wait until the spare says it is warm: its hello, or None if it could not start."""
        self.start()
        spare = self._spare
        if spare.ready:
            return {"status": "ready"}
        try:
            kind, body = spare.frames.get(timeout=self.startup_seconds)
        except queue.Empty:
            kind, body = "timeout", None
        if kind != "frame":
            self._spare = None
            self._discard(spare)
            return None
        from d2lcoach.sandbox.runtime import wire
        try:
            hello = wire.decode(body)
        except wire.WireError:
            hello = None
        if not isinstance(hello, dict) or hello.get("status") != "ready":
            self._spare = None
            self._discard(spare)
            return None
        spare.ready = True
        return hello

    def grade(self, message_bytes: bytes, limits) -> tuple[dict, bytes | None]:
        """Hand one submission to the warm spare and supervise it: (the report, the raw result or None).

        The report has the fork-based handler's shape (status, seconds, output, evidence, exit, signal),
        so the Sandbox turns both into an Outcome the same way; `worker_died` when the grade was
        interrupted or the spare was gone. The next spare starts when this one ends, not before: on a
        small machine a spare warming beside the submission would slow the grade the learner waits for."""
        spare, self._spare = self._spare, None
        self._running = spare
        spare.max_frame = int(limits.result_bytes)
        start = time.monotonic()
        status, payload = None, None
        try:
            spare.proc.stdin.write(message_bytes)
            spare.proc.stdin.flush()
            spare.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            status = "gone"
        deadline = start + float(limits.wall_seconds)
        baseline = None
        next_watch = start
        while status is None:
            now = time.monotonic()
            if now >= deadline:
                status = "timeout"
                break
            if now >= next_watch:
                next_watch = now + _WATCH_SECONDS
                count, rss = spare.watch()
                baseline = rss if baseline is None else baseline  # the warm interpreter, torch included
                if limits.processes and count - 1 > limits.processes:
                    status = "too_many_processes"
                    break
                if limits.memory_bytes and not limits.cuda and rss - baseline > limits.memory_bytes:
                    status = "memory"
                    break
            try:
                kind, body = spare.frames.get(timeout=max(min(deadline - now, next_watch - now), 0.001))
            except queue.Empty:
                continue
            if kind == "frame":
                status, payload = "ok", body
            elif kind == "too_large":
                status = "too_large"
            else:
                status = "no_result"
        seconds = time.monotonic() - start
        spare.kill()
        returncode = spare.proc.returncode  # its own exit code if it ended before the kill
        spare.finish()
        self._running = None
        if self._interrupted:
            self._interrupted = False
            status = "interrupted"
        info = {"status": status, "seconds": seconds, "output": spare.output.decode("utf-8", "replace"),
                "evidence": spare.evidence.decode("utf-8", "replace").splitlines(),
                "output_dropped": spare.dropped, "exit": None, "signal": None}
        if status in ("interrupted", "gone"):
            info["status"] = "worker_died"
        elif status == "memory":  # killed by this watch, as the kernel kills at a memory limit
            info["status"], info["signal"] = "no_result", 9
        if info["status"] == "no_result" and info["signal"] is None and returncode is not None:
            if returncode < 0:
                info["signal"] = -returncode
            else:
                info["exit"] = returncode
        self.start()  # the next spare warms while the grader compares
        return info, payload

    def interrupt(self):
        """Kill the submission being graded, from any thread: its grade() returns at once."""
        spare = self._running
        if spare is not None:
            self._interrupted = True
            try:
                spare.proc.kill()
            except OSError:
                pass

    def processes(self) -> list[int]:
        """The pids of the spare and of the submission being graded (for tests that look for leftovers)."""
        return [s.proc.pid for s in (self._spare, self._running) if s is not None and s.proc.poll() is None]

    def close(self):
        spare, self._spare = self._spare, None
        if spare is not None:
            self._discard(spare)

    @staticmethod
    def _discard(spare: _Spare):
        spare.kill()
        spare.finish()
