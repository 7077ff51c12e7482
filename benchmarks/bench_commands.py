"""Benchmark of the commands that do not grade, against `python -c "import torch"` (issue 23).

Each command runs as a learner runs it, `python -m d2lcoach ...` in a fresh interpreter, in a
temporary workspace whose first exercise is started; so do the baselines: `python -c pass`,
`python -c "import typer, rich, yaml"` (what a command cannot do without) and
`python -c "import torch"`. Every row is run --repeat times, interleaved, and the table prints the
median and the fastest wall time, and the median as a share of import torch's. `doctor` (which
probes the devices, so imports torch) is printed as a reference, and so is `check` (issue 23's goal:
at most 1.2 times import torch), on softmax's reference solution (passes) and on a wrong answer
from the trust suite (fails, so the comparison explains itself). No assertions on time.

    python benchmarks/bench_commands.py [--repeat 5] [--source DIR] [--compare DIR]

--source DIR times the d2lcoach package of another checkout (put first on PYTHONPATH; default this
one); --compare DIR times a second checkout in the same rounds, e.g. the commit before a change
(`git archive REV | tar -x -C DIR`); a command that a checkout does not know shows its exit code.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASELINES = [
    ("python -c pass", ["-c", "pass"]),
    ("python -c 'import typer, rich, yaml'", ["-c", "import typer, rich, yaml"]),
    ("python -c 'import torch'", ["-c", "import torch"]),
]
COMMANDS = [
    ["--version"],
    ["--help"],
    ["list"],
    ["list", "--json"],
    ["hint"],
    ["next"],
    ["reset"],
    ["solution", "softmax", "--force"],
    ["doctor", "--fast"],
    ["init", "another"],
    ["doctor"],  # the reference: a device probe imports torch
    ["check", "softmax", "--file", str(ROOT / "solutions" / "softmax.py")],  # grades: imports torch
    ["check", "softmax", "--file", str(ROOT / "tests" / "submissions" / "softmax" / "bug_global_max.py")],
]


def timed(argv: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per row (default 5)")
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout whose d2lcoach is timed")
    parser.add_argument("--compare", type=Path, default=None,
                        help="another checkout (e.g. the commit before a change), timed in the same rounds")
    args = parser.parse_args()

    base = {k: v for k, v in os.environ.items() if k not in ("D2LCOACH_WORKSPACE", "PYTHONPATH")}
    sources = [("this", args.source)] + ([("compare", args.compare)] if args.compare else [])
    envs = {name: {**base, "NO_COLOR": "1", "PYTHONPATH": str(path.resolve())} for name, path in sources}
    with tempfile.TemporaryDirectory(prefix="d2lcoach-bench-") as tmp:
        cwd = Path(tmp)  # not the checkout: the current folder comes first on sys.path
        where = {}
        for name, _ in sources:
            ws = cwd / f"ws-{name}"
            setup = subprocess.run([sys.executable, "-m", "d2lcoach", "--workspace", str(ws), "next"], cwd=cwd,
                                   env=envs[name], capture_output=True, text=True)
            if setup.returncode != 0:
                sys.exit(f"could not start a workspace: {setup.stdout}{setup.stderr}")
            where[name] = subprocess.run([sys.executable, "-c", "import d2lcoach; print(d2lcoach.__file__)"],
                                         cwd=cwd, env=envs[name], capture_output=True, text=True).stdout.strip()
        rows = [(label, None, argv) for label, argv in BASELINES]
        rows += [("d2lcoach " + " ".join(c), name, ["-m", "d2lcoach", "--workspace", str(cwd / f"ws-{name}"), *c])
                 for c in COMMANDS for name, _ in sources]
        times: dict[tuple, list[float]] = {(label, name): [] for label, name, _ in rows}
        codes: dict[tuple, set[int]] = {(label, name): set() for label, name, _ in rows}
        for _ in range(args.repeat):  # interleaved, so a burst of load spreads over every row
            for label, name, argv in rows:
                seconds, code = timed(argv, cwd, envs[name or "this"])
                times[label, name].append(seconds)
                codes[label, name].add(code)

    torch_median = statistics.median(times[BASELINES[-1][0], None])
    for name, _ in sources:
        print(f"{name}: d2lcoach from {where[name]}")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end, {args.repeat} runs per row")
    width = max(len(label) for label, _, _ in rows) + 10
    print(f"{'command':<{width}}  {'median':>8}  {'fastest':>8}  {'vs torch':>8}  exit")
    for label, name, _ in rows:
        median = statistics.median(times[label, name])
        shown = label if name is None or len(sources) == 1 else f"{label} ({name})"
        print(f"{shown:<{width}}  {median:>7.2f}s  {min(times[label, name]):>7.2f}s  "
              f"{median / torch_median:>7.0%}  {','.join(map(str, sorted(codes[label, name])))}")


if __name__ == "__main__":
    main()
