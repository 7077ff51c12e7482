"""Benchmark of the sandboxed child's CPU on a clean submission: what a grade costs once forked.

Runs the harness (`run_request`, what the child of every sandbox runs) on each exercise's reference
solution, each time in a fresh fork of one warm process (as the sandbox's zygote does: torch, the
harness and the refusing code imported and warmed before any fork), and prints the child's user CPU
time per submission: median and fastest of --rounds, per exercise and their mean. No sandbox, no
wire, no judging: the cases, on every device, under the recorders and switch-offs the exercise asks
for. CPU time, not wall time: on a shared machine the fastest of several rounds is the steadier
figure.

With --baseline DIR (another build's checkout), each round runs both builds in turn, each in a
fresh interpreter, and prints their ratio. No assertions on time.

    python benchmarks/bench_child.py [--exercises core|all|ID,ID] [--rounds 5] [--devices cpu,npu]
                                     [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE_SEVEN = "softmax,conv2d,batch_norm,gru_cell,multi_head_attention,nms,gan_step"

# Run in a fresh interpreter with the build under test first on sys.path: prints one JSON line,
# {exercise: [child user ms, one per round]}.
_MEASURE = r"""
import json, os, resource, sys
build, ids, rounds, devices = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
sys.path.insert(0, build)
import d2lcoach
if not os.path.abspath(d2lcoach.__file__).startswith(os.path.abspath(build) + os.sep):
    sys.exit(f"imported {d2lcoach.__file__}, not the build at {build}")
from d2lcoach.course import load_course
from d2lcoach.grading.engine import grade_source
import d2lcoach.sandbox.runtime as runtime
sys.path.insert(0, os.path.dirname(runtime.__file__))
import harness, worker
worker.warm()


class Captured(Exception):
    pass


class Capture:  # a sandbox that keeps the engine's request instead of running it
    level = "capture"

    def run(self, request, limits):
        raise Captured(request)


course = load_course()
ids = [e.id for e in course.exercises] if ids == "all" else ids.split(",")
requests = {}
for exercise_id in ids:
    exercise = course.get(exercise_id)
    try:
        grade_source(exercise, exercise.solution_path.read_text(), "solution.py", sandbox=Capture(),
                     devices=devices, seed=23)
        sys.exit(f"{exercise_id}: the engine sent no request")
    except Captured as sent:
        requests[exercise_id] = sent.args[0]
evidence = os.open(os.devnull, os.O_WRONLY)
times = {exercise_id: [] for exercise_id in ids}
for _ in range(rounds):
    for exercise_id in ids:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        pid = os.fork()
        if pid == 0:
            harness._Evidence.fd = evidence
            result = harness.run_request(requests[exercise_id])
            failed = result["load_error"] or result["missing"] or any(
                run["error"] or run.get("grad_error") for run in result["runs"])
            os._exit(3 if failed else 0)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            print(f"{exercise_id}: the reference solution did not run cleanly (status {status})", file=sys.stderr)
            sys.exit(1)
        times[exercise_id].append((resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before) * 1000)
print(json.dumps(times))
"""


def measure(build: Path, ids: str, rounds: int, devices: str) -> dict[str, list[float]]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(build), ids, str(rounds), devices],
                          capture_output=True, text=True, cwd=build)
    if done.returncode != 0:
        raise SystemExit(f"{build}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'failed'}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", default="core", help="core (the core seven), all, or ids")
    parser.add_argument("--rounds", type=int, default=5, help="forks per exercise and build (5)")
    parser.add_argument("--devices", default="cpu,npu", help="devices each case runs on (cpu,npu)")
    parser.add_argument("--baseline", type=Path, help="another build's checkout, measured in turn")
    args = parser.parse_args(argv)
    ids = CORE_SEVEN if args.exercises == "core" else args.exercises
    builds = {"this build": ROOT}
    if args.baseline is not None:
        if not (args.baseline / "d2lcoach" / "__init__.py").is_file():
            print(f"--baseline {args.baseline}: not a d2lcoach checkout", file=sys.stderr)
            return 2
        builds = {"baseline": args.baseline.resolve(), "this build": ROOT}
    times: dict[str, dict[str, list[float]]] = {name: {} for name in builds}
    for _ in range(2 if args.baseline is not None else 1):  # builds alternate: baseline, this, baseline, this
        for name, build in builds.items():
            for exercise_id, values in measure(build, ids, args.rounds, args.devices).items():
                times[name].setdefault(exercise_id, []).extend(values)
    print(f"child user CPU per clean submission, ms (devices {args.devices}; {args.rounds} forks per exercise "
          f"and run; load average {os.getloadavg()[0]:.1f})")
    print(f"{'exercise':<24}" + "".join(f"{name + ' median':>20}{'fastest':>9}" for name in builds))
    means = {name: [0.0, 0.0] for name in builds}
    exercises = list(next(iter(times.values())))
    for exercise_id in exercises:
        row = f"{exercise_id:<24}"
        for name in builds:
            values = times[name][exercise_id]
            median, fastest = statistics.median(values), min(values)
            means[name][0] += median / len(exercises)
            means[name][1] += fastest / len(exercises)
            row += f"{median:>20.1f}{fastest:>9.1f}"
        print(row)
    print(f"{'mean':<24}" + "".join(f"{means[name][0]:>20.1f}{means[name][1]:>9.1f}" for name in builds))
    if args.baseline is not None:
        base, this = means["baseline"], means["this build"]
        print(f"this build: {base[0] / this[0]:.2f}x the baseline's speed (medians), {base[1] / this[1]:.2f}x (fastest)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
