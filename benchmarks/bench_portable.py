"""What a `check` costs at the portable sandbox level (issue 26), against a bare `import torch`, in one run.

Rounds alternate, each measurement in fresh interpreters:
- `python -c "import torch"`: the reference (the issue's goal: a check with a warm spare costs at most
  1.5 times this);
- `d2lcoach check` of softmax's reference solution with D2LCOACH_SANDBOX=portable, end to end (the
  command's own interpreter, its imports, the spare started first and warming beside them, the grade,
  the report): what a learner's single `check` costs;
- in one interpreter that stays (as `watch` and the notebook magic do): a check with a warm spare
  (the spare warmed while the learner was typing), and a check without one (the spare started at the
  same moment as the check, as when the learner saves faster than a spare warms);
- for comparison, the same single `check` at the machine's default level (namespaces or process).
Prints the median of each, and the ratios. No assertions on time.

    python benchmarks/bench_portable.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "softmax.py"

# In a session that stays: grade once with a spare that warmed while we waited, once without one.
SESSION = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from d2lcoach.course import load_course
from d2lcoach.grading.engine import grade_source
from d2lcoach.sandbox import Sandbox
exercise = load_course().get("softmax")
source = exercise.solution_path.read_text(encoding="utf-8")
marks = {}
box = Sandbox("portable").start()
box.wait_ready()  # the learner types; the spare warms
t = time.perf_counter()
result = grade_source(exercise, source, exercise.filename, sandbox=box, seed=1)
marks["warm spare"] = time.perf_counter() - t
assert result.passed and result.isolation == "portable", result.error
box.close()
box = Sandbox("portable")
t = time.perf_counter()
box.start()  # saved before any spare was warm: the check waits for one
result = grade_source(exercise, source, exercise.filename, sandbox=box, seed=1)
marks["no spare"] = time.perf_counter() - t
assert result.passed, result.error
box.close()
print(json.dumps(marks))
"""


def _timed(cmd: list[str], env: dict, cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if k not in ("D2LCOACH_SANDBOX", "D2LCOACH_WORKSPACE")}
    base_env["NO_COLOR"] = "1"
    portable_env = {**base_env, "D2LCOACH_SANDBOX": "portable"}
    python = sys.executable
    check = [python, "-m", "d2lcoach", "check", "softmax", "--file", str(SOLUTION), "--seed", "1"]
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as cwd:
        _timed([python, "-c", "import torch"], base_env, cwd)  # fill the page cache first
        for round_ in range(args.repeat):
            times.setdefault("python -c 'import torch'", []).append(
                _timed([python, "-c", "import torch"], base_env, cwd))
            times.setdefault("d2lcoach check (portable, single)", []).append(_timed(check, portable_env, cwd))
            times.setdefault("d2lcoach check (default level, single)", []).append(_timed(check, base_env, cwd))
            done = subprocess.run([python, "-c", SESSION, str(ROOT)], env=base_env, cwd=cwd, capture_output=True,
                                  text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-3000:])
            for name, seconds in json.loads(done.stdout.splitlines()[-1]).items():
                times.setdefault(f"check in a session, {name} (portable)", []).append(seconds)
            print(f"round {round_ + 1}/{args.repeat} done", file=sys.stderr)
    medians = {name: statistics.median(values) for name, values in times.items()}
    torch_import = medians["python -c 'import torch'"]
    from d2lcoach.sandbox import available_level
    print(f"median of {args.repeat} rounds; cores: {os.cpu_count()}; load average: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; default level here: {available_level()}")
    for name, value in medians.items():
        print(f"{name:48s} {value:6.2f} s   {value / torch_import:5.2f}x import torch")


if __name__ == "__main__":
    main()
