"""Sweep seeds by hand: grade an exercise's stub, solution and trust suite on N seeds and report every
verdict that differs from the expectation (a script, not a test: it takes minutes, and prints timings).

    python scripts/sweep_seeds.py linear_regression [more ids] [--seeds 20] [--files PATH ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from d2lcoach.course import load_course  # noqa: E402
from d2lcoach.grading.engine import grade_source  # noqa: E402
from d2lcoach.sandbox import Sandbox  # noqa: E402
from tests.trust import expectation, submissions  # noqa: E402


def verdict_ok(result, verb, details) -> bool:
    if verb == "pass":
        return result.passed
    if verb == "fail":
        failing = {c.name for c in result.failures()}
        return not result.passed and all(d in failing for d in details)
    return result.error is not None and details[0] in result.error


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--files", nargs="*", default=None, help="extra files graded with their expect: lines")
    args = parser.parse_args()
    course = load_course()
    bad = 0
    with Sandbox() as box:
        for exercise_id in args.ids:
            exercise = course.get(exercise_id)
            files = [(exercise.stub_path, ("fail", [])), (exercise.solution_path, ("pass", []))]
            files += [(p, expectation(p)) for p in submissions(exercise_id)]
            files += [(Path(p), expectation(Path(p))) for p in (args.files or [])]
            for path, (verb, details) in files:
                start = time.perf_counter()
                wrong = []
                for seed in range(args.seeds):
                    result = grade_source(exercise, path.read_text(), exercise.filename, sandbox=box, seed=seed)
                    if not verdict_ok(result, verb, details):
                        wrong.append((seed, sorted({c.name for c in result.failures()}), result.error))
                bad += bool(wrong)
                status = "ok " if not wrong else "BAD"
                print(f"{status} {exercise_id}/{path.name} ({verb} {', '.join(details)}) "
                      f"{time.perf_counter() - start:.1f}s" + "".join(f"\n    seed {s}: {f} {e or ''}"
                                                                       for s, f, e in wrong[:3]), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
