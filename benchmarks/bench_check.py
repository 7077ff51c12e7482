"""Where the time of one `check` goes, from the interpreter's start to the verdict (issue 23).

Each round runs, in fresh interpreters: `python -c pass` (interpreter start), `python -c "import torch"`,
the sandbox worker's own start-up outside the sandbox (its torch import, its other imports, its warm-up
of autograd and the recorders, and of the meta device; the same code as worker.py), and one check done
the way `d2lcoach check` does it (the worker started first, the parent's imports, the references, the
wait for the worker, the sandbox run with the fork and the cases, the comparison and the report, the
worker's shutdown), on softmax's reference solution and on a wrong answer. Prints the median of each
phase. With --baseline DIR the same check timeline runs from another build's checkout in the same
rounds. No assertions on time.

    python benchmarks/bench_check.py [--repeat 3] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRONG = ROOT / "tests" / "submissions" / "softmax" / "bug_global_max.py"

# The worker's start-up (worker.py's imports and its warm-up in main()), timed phase by phase.
WORKER = r"""
import json, os, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name): marks[name] = time.perf_counter() - t0
sys.path.insert(0, os.path.join(sys.argv[1], "d2lcoach", "sandbox", "runtime"))
import torch; mark("worker: import torch")
import worker; mark("worker: its other imports")
torch.set_num_threads(1)
worker.warm_cpu(); mark("worker: warm-up, CPU (autograd, optimisers, recorders)")
if "warm_meta()" in __import__("inspect").getsource(worker.main):  # builds that warm meta at start-up
    worker.warm_meta(); mark("worker: warm-up, meta device")
start = time.perf_counter(); pid = os.fork()
if pid == 0:
    os._exit(0)
forked = time.perf_counter(); os.waitpid(pid, 0)
marks["worker: one fork (the call)"] = forked - start
marks["worker: one fork (the child's exit, reaped)"] = time.perf_counter() - forked
print(json.dumps(marks))
"""

# One check as `d2lcoach check` does it (cli.check_command), each phase marked from the interpreter's start.
CHECK = r"""
import json, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name): marks[name] = time.perf_counter() - t0
sys.path.insert(0, sys.argv[1])
from d2lcoach.sandbox import Sandbox
box = Sandbox().start(); mark("sandbox worker started (bwrap)")
from d2lcoach.course import load_course
try:  # the layout by role (issue 30), else the build before it
    from d2lcoach.learner.tutor import load_submission
except ImportError:
    from d2lcoach.tutor import load_submission
course = load_course(); exercise = course.get("softmax")
submission = load_submission(__import__("pathlib").Path(sys.argv[2]), exercise); mark("course and file read")
from d2lcoach.grading import engine
devices = engine.resolve_devices("all"); mark("parent: import torch and the engine")
engine.prepare(exercise, 7); mark("parent: cases and reference answers")
box.wait_ready(); mark("waiting for the worker (its torch import and warm-up)")
run = Sandbox.run
def timed_run(self, request, limits):
    mark("request built"); outcome = run(self, request, limits); mark("sandbox run (fork, cases, result back)")
    cases = sum(r.get("seconds", 0.0) for r in (outcome.result or {}).get("runs", []))
    marks["  of which the child's cases"] = cases; marks["  of which the child, in all"] = outcome.seconds
    return outcome
Sandbox.run = timed_run
result = engine.grade_source(exercise, submission.source, sys.argv[2], sandbox=box, devices=devices, seed=7)
mark("comparison and verdict")
from d2lcoach import console
console.render_result(result, exercise.title, verbose=False)
mark("report printed")
box.close(); mark("worker shut down")
marks["passed"] = result.passed
print(json.dumps(marks))
"""


def _run(argv: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{argv[:2]} failed: {done.stderr.strip()[-600:]}")
    return seconds, done.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3); medians are printed")
    parser.add_argument("--baseline", type=Path, default=None, help="another build's checkout, timed in the same rounds")
    args = parser.parse_args(argv)
    if args.baseline is not None and not (args.baseline / "d2lcoach" / "__init__.py").is_file():
        print(f"--baseline {args.baseline}: not a d2lcoach checkout", file=sys.stderr)
        return 2
    builds = [("this build", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    figures: dict[str, list[float]] = {}

    def add(name, value):
        figures.setdefault(name, []).append(value)

    for round_ in range(args.repeat):
        add("python -c pass", _run(["-c", "pass"], ROOT)[0])
        add('python -c "import torch"', _run(["-c", "import torch"], ROOT)[0])
        seconds, out = _run(["-c", WORKER, str(ROOT)], ROOT)
        for name, value in json.loads(out).items():
            add(name, value)
        for build, root in (builds if round_ % 2 == 0 else builds[::-1]):
            for label, path in (("right", ROOT / "solutions" / "softmax.py"), ("wrong", WRONG)):
                seconds, out = _run(["-c", CHECK, str(root), str(path)], ROOT)
                marks = json.loads(out.strip().splitlines()[-1])
                add(f"{build}, check ({label}): whole process", seconds)
                for name, value in marks.items():
                    if name != "passed":
                        add(f"{build}, check ({label}): {name}", float(value))
    torch_s = statistics.median(figures['python -c "import torch"'])
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end; "
          f"medians of {args.repeat} rounds; check rows are seconds since the interpreter's start")
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"  {name:<72} {median:7.3f} s  {median / torch_s:6.0%} of import torch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
