"""Benchmark of the second device on a grader without a GPU: the stand-in GPU (npu) against meta.

Grades the reference solution of a few exercises in one warm sandbox, on `cpu` alone, on `cpu` and
`meta` (the old stand-in: shapes only) and on `cpu` and `npu` (the stand-in GPU: real values), each
several times with the same seed, and prints the median seconds per grade and what the second device
adds over the CPU alone. The cases are computed once per exercise before timing (the engine caches
them). No assertions on time.

    python benchmarks/bench_standin.py [--repeat 5] [EXERCISE ...]   (default: softmax conv2d transformer_block)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from d2lcoach.course import load_course  # noqa: E402
from d2lcoach.grading.engine import STAND_IN, grade_source  # noqa: E402
from d2lcoach.sandbox import Sandbox  # noqa: E402

SETUPS = {"cpu": ["cpu"], "cpu+meta": ["cpu", "meta"], f"cpu+{STAND_IN}": ["cpu", STAND_IN]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["softmax", "conv2d", "transformer_block"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    course = load_course()
    with Sandbox().start() as box:
        print(f"sandbox: {box.level}; median of {args.repeat} grades of the reference solution, seed 0")
        print(f"{'exercise':<20}" + "".join(f"{name:>14}" for name in SETUPS) + f"{'meta adds':>12}"
              f"{STAND_IN + ' adds':>12}   verdict on {STAND_IN}")
        for exercise_id in args.exercises:
            exercise = course.get(exercise_id)
            source = exercise.solution_path.read_text()
            seconds, verdict = {}, ""
            for name, devices in SETUPS.items():
                grade_source(exercise, source, "solution.py", sandbox=box, devices=devices, seed=0)  # warm
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    result = grade_source(exercise, source, "solution.py", sandbox=box, devices=devices, seed=0)
                    times.append(time.perf_counter() - start)
                seconds[name] = statistics.median(times)
                if STAND_IN in devices:
                    verdict = "pass" if result.passed else "FAIL " + ", ".join(
                        f"{c.name}/{c.device}" for c in result.checks if not c.passed)
            base = seconds["cpu"]
            print(f"{exercise_id:<20}" + "".join(f"{seconds[name]:>13.3f}s" for name in SETUPS)
                  + f"{seconds['cpu+meta'] - base:>+11.3f}s{seconds['cpu+' + STAND_IN] - base:>+11.3f}s   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
