"""The portable level's spare: a fresh interpreter that warms up, grades exactly one submission, and exits.

Started with `subprocess` (no fork, nothing Linux-only), so it runs on macOS and Windows as on Linux.
It imports torch and the worker's warm-up (worker.warm) while it waits, then reads one request and
runs it with the code the forked child runs (worker.apply_limits, worker.run_submission).

Channels, all set up by the grader (d2lcoach/sandbox/portable.py):
  stdin   the one request: a u64 length then a wire message {"op": "grade", "request", "limits"}
  stdout  the protocol: the "ready" frame once warm, then the submission's framed result
  stderr  the submission's output (its fds 1 and 2); nothing reaches it before the request
  argv[1] the evidence pipe: "fd:N" (Unix, inherited) or "handle:N" (Windows, an inherited handle)
The grader holds the wall clock, watches the process tree and kills it; the spare never grades twice.
"""

from __future__ import annotations

import math
import os
import struct
import sys


def _evidence_fd(spec: str) -> int | None:
    kind, _, number = spec.partition(":")
    if kind == "fd":
        return int(number)
    if kind == "handle":
        import msvcrt  # Windows only: an inherited pipe handle becomes a C file descriptor
        return msvcrt.open_osfhandle(int(number), os.O_WRONLY)
    return None


def _after_warm_up(limits: dict) -> dict:
    """The limits, with the CPU time this interpreter spent warming up added to the CPU limit: the
    kernel counts a process's CPU time from its start, and a forked child starts from nothing, so the
    submission gets the same CPU seconds here as at the fork levels (give or take one)."""
    limits = dict(limits)
    try:
        import resource
    except ImportError:  # Windows: no CPU limit (the grader's wall clock holds)
        return limits
    if int(limits.get("cpu_seconds", 0)):
        used = resource.getrusage(resource.RUSAGE_SELF)
        limits["cpu_seconds"] = int(limits["cpu_seconds"]) + math.ceil(used.ru_utime + used.ru_stime)
    return limits


def main() -> int:
    # Keep the protocol and the capture aside; until the request comes, fds 1 and 2 go nowhere, so
    # nothing the warm-up prints can be mistaken for the submission's output or for a frame.
    protocol, capture = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    evidence = _evidence_fd(sys.argv[1] if len(sys.argv) > 1 else "")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import worker  # torch, the harness, the drivers, the recorders (imports only; no fork, no prctl)
    import harness
    import wire

    worker.warm()
    os.write(protocol, wire.frame(wire.encode({"status": "ready", "pid": os.getpid(),
                                               "isolation": worker.ISOLATION, "seccomp": False})))
    head = worker._read_exact(0, 8)
    if head is None:
        return 0  # the grader closed without a submission for this spare
    (n,) = struct.unpack(">Q", head)
    body = worker._read_exact(0, n)
    if body is None:
        return 0
    message = wire.strip(wire.decode(body))
    if not isinstance(message, dict) or message.get("op") != "grade":
        return 0
    os.dup2(devnull, 0)
    harness._Evidence.fd = evidence
    os.dup2(capture, 1)
    os.dup2(capture, 2)
    os.close(capture)
    worker.apply_limits(_after_warm_up(message["limits"]))
    worker.run_submission(message["request"], protocol)
    return 0


if __name__ == "__main__":
    code = 0
    try:
        code = main()
    except BaseException:  # noqa: BLE001 - no result is the grader's answer to anything that went wrong
        code = 1
    finally:
        os._exit(code)
