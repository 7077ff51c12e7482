"""Benchmark of instructor batch grading against one fresh Python interpreter per submission.

Builds a synthetic roster (default 100 students x the course's exercises) from the project's own
files: reference solutions (right), stubs (wrong: not implemented), and the trust suite's
tests/submissions/<id>/*.py (a mix of right and wrong, each with its expected verdict), with a few
files missing. Grades it with `grade_roster` and the default --jobs, then prints submissions per
second, ms per submission, peak memory and wall time; runs the naive baseline (a fresh
`python -c` per submission: imports torch, starts a fresh sandbox, grades one file) on a sample
in the same run and prints the ratio; and times one `check`-equivalent single grade against
`python -c "import torch"`. No assertions on time.

With --baseline DIR (a checkout of another build, e.g. `git worktree add /tmp/base c3c4cb9`), it
grades the same roster with the same seed and jobs by each build in turn, alternating the builds
over --rounds rounds (each run a fresh interpreter), and prints each build's ms per submission
(the core seven and the whole course), their ratio, and whether every verdict agrees.

    python benchmarks/bench_batch.py [--students 100] [--sample 14] [--jobs N] [--keep DIR]
                                     [--exercises core|all|ID,ID] [--clean]
    python benchmarks/bench_batch.py --baseline DIR [--exercises core|all|ID,ID] [--students 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from d2lcoach.instructor.batch import default_jobs, grade_roster  # noqa: E402
from d2lcoach.course import load_course  # noqa: E402
from d2lcoach.grading.engine import new_seed, resolve_devices  # noqa: E402

# One grade in a fresh interpreter, as `d2lcoach check` does it: the sandbox starts first so that its
# torch import overlaps the parent's own.
ONE_GRADE = r"""
import json, sys
from d2lcoach.sandbox import Sandbox
box = Sandbox().start()
from d2lcoach.course import load_course
from d2lcoach.grading.engine import grade_source
from d2lcoach.learner.workspace import read_submission
exercise_id, path, seed, devices = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
exercise = load_course().get(exercise_id)
try:
    result = grade_source(exercise, read_submission(path), path, sandbox=box, devices=devices, seed=seed)
finally:
    box.close()
print(json.dumps({"error": result.error, "checks": [c.to_json() for c in result.checks]}))
"""

MIB = 1024 * 1024
CORE_SEVEN = ("softmax", "conv2d", "batch_norm", "gru_cell", "multi_head_attention", "nms", "gan_step")


def _expectation(path: Path) -> str:
    """The `expect:` line of a trust-suite file ('' when it has none)."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (SyntaxError, ValueError, OSError):
        return ""
    for line in doc.splitlines():
        if line.strip().startswith("expect:"):
            return line.strip()[len("expect:"):].strip()
    return ""


def submission_pool(exercise) -> tuple[list[tuple[str, Path]], int]:
    """(kind, file) candidates for one exercise, and how many slow ones (time-outs) were left out."""
    folder = ROOT / "tests" / "submissions" / exercise.id
    suite, skipped = [], 0
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        expect = _expectation(path)
        if "timed out" in expect or "time limit" in expect or "cpu" in expect.lower():
            skipped += 1  # one endless loop costs the whole time limit: not what this measures
            continue
        kind = "right" if expect.startswith("pass") else "wrong"
        suite.append((f"suite-{kind}", path))
    return suite, skipped


def build_roster(root: Path, course, students: int, rng: random.Random, clean: bool = False) -> dict:
    """students x the course's exercises; with clean, every file is the reference solution (none missing)."""
    stats = {"solution": 0, "stub": 0, "suite-right": 0, "suite-wrong": 0, "missing": 0, "skipped_slow": 0}
    pools = {}
    for exercise in course.exercises:
        pools[exercise.id], skipped = submission_pool(exercise)
        stats["skipped_slow"] += skipped
    for i in range(students):
        folder = root / f"student{i:03d}"
        folder.mkdir(parents=True)
        for exercise in course.exercises:
            draw = 1.0 if clean else rng.random()
            suite = pools[exercise.id]
            if draw < 0.05:
                stats["missing"] += 1
                continue
            if draw < 0.15:
                kind, source = "stub", exercise.stub_path
            elif draw < 0.55 and suite:
                kind, source = rng.choice(suite)
            else:
                kind, source = "solution", exercise.solution_path
            stats[kind] += 1
            shutil.copyfile(source, folder / exercise.filename)
        if i % 10 == 3:
            (folder / "notes.txt").write_text("not an exercise\n")
    return stats


def _descendants(root_pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
                parents[int(entry)] = int(stat[stat.rfind(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _memory_kib(pid: int) -> int:
    """Proportional set size (shared pages split between sharers) or, failing that, RSS."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}") as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return 0


class TreeMemory:
    """Samples the memory of this process and all its descendants (the sandboxes) once a second.

    Reading every process's smaps_rollup walks its page tables: four times a second it took about a
    tenth of a core (py-spy, 2026-12-07), from the batch it measures on a 2-core machine."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = os.getpid()
        while not self._stop.is_set():
            total = sum(_memory_kib(pid) for pid in [me, *_descendants(me)])
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def one_grade(exercise_id: str, path: Path, seed: int, devices: list[str]) -> tuple[float, dict | None]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", ONE_GRADE, exercise_id, str(path), str(seed), ",".join(devices)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    seconds = time.perf_counter() - start
    try:
        return seconds, json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        print(f"  (the fresh interpreter failed on {path}: {proc.stderr.strip()[-300:]})", file=sys.stderr)
        return seconds, None


# One batch by one build, in a fresh interpreter that imports that build's d2lcoach first.
BUILD_BATCH = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
try:  # the layout by role (issue 30), else the build before it
    from d2lcoach.instructor.batch import grade_roster
except ImportError:
    from d2lcoach.batch import grade_roster
from d2lcoach.course import load_course
roster, out, seed, jobs, ids = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6].split(",")
course = load_course()
start = time.perf_counter()
summary = grade_roster(__import__("pathlib").Path(roster), __import__("pathlib").Path(out), course=course,
                       exercises=ids, jobs=jobs, seed=seed, devices=sys.argv[7].split(","))
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "graded": summary.graded, "means": {e.id: [e.mean_seconds, e.passed + e.failed
                  + e.timed_out] for e in summary.exercises if e.mean_seconds is not None}}))
"""


def _verdicts(results: Path) -> dict:
    """Every graded submission's verdict, checks and error from a results.json (timings left out)."""
    document = json.loads(results.read_text())
    return {(student, ex): (entry["verdict"], entry["error"], entry["score"], entry["points"], entry["checks"])
            for student, row in document["students"].items() for ex, entry in row["exercises"].items()}


def _ids(choice: str, course) -> list[str] | None:
    """--exercises: core, all, or comma-separated ids; None, said on stderr, when an id is unknown."""
    ids = (list(CORE_SEVEN) if choice == "core" else list(course.ids) if choice == "all"
           else [i.strip() for i in choice.split(",") if i.strip()])
    unknown = [i for i in ids if i not in course.ids]
    if unknown:
        print(f"--exercises: unknown {', '.join(unknown)}", file=sys.stderr)
        return None
    return ids


def _subset(course, ids: list[str]):
    """The part of the course a roster is built for (what build_roster reads)."""
    return types.SimpleNamespace(exercises=[course.get(i) for i in ids])


def compare_builds(args, course, devices, seed) -> int:
    """Grade one roster with the baseline build and this one, alternating, and print the ratios."""
    ids = _ids(args.exercises or "core", course)
    if ids is None:
        return 2
    if not (args.baseline / "d2lcoach" / "__init__.py").is_file():
        print(f"--baseline {args.baseline}: not a d2lcoach checkout", file=sys.stderr)
        return 2
    jobs = args.jobs or default_jobs()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="d2lcoach-bench-"))
    roster = workdir / "roster"
    if roster.exists():
        print(f"{workdir}: already holds a roster; choose an empty folder", file=sys.stderr)
        return 2

    try:
        stats = build_roster(roster, _subset(course, ids), args.students, random.Random(0), clean=args.clean)
        print(f"roster: {args.students} students x {len(ids)} exercises; {stats}")
        print(f"machine: {jobs} job(s), {os.cpu_count()} cores; devices {', '.join(devices)}; seed {seed}; "
              f"load average at the start {os.getloadavg()[0]:.1f}")
        builds = {"baseline": args.baseline.resolve(), "this build": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in builds}
        verdicts = {}
        for round_ in range(args.rounds):
            order = list(builds) if round_ % 2 == 0 else list(builds)[::-1]
            for name in order:
                out = workdir / f"report-{name.replace(' ', '-')}-{round_}"
                proc = subprocess.run([sys.executable, "-c", BUILD_BATCH, str(builds[name]), str(roster), str(out),
                                       str(seed), str(jobs), ",".join(ids), ",".join(devices)],
                                      capture_output=True, text=True, cwd=builds[name])
                if proc.returncode != 0:
                    print(f"{name} failed: {proc.stderr.strip()[-800:]}", file=sys.stderr)
                    return 1
                figures = json.loads(proc.stdout.strip().splitlines()[-1])
                runs[name].append(figures)
                verdicts.setdefault(name, _verdicts(out / "results.json"))
                print(f"  round {round_ + 1}, {name}: {figures['graded']} graded in {figures['wall']:.1f} s, "
                      f"{figures['wall'] / figures['graded'] * 1000:.0f} ms per submission "
                      f"(load average {os.getloadavg()[0]:.1f})")
        per = {}
        for name, figures in runs.items():
            per[name] = statistics.median(f["wall"] / f["graded"] for f in figures)
            means = {}
            for f in figures:
                for ex, (mean, n) in f["means"].items():
                    means.setdefault(ex, []).append((mean, n))
            graded = {ex: statistics.mean(m for m, _ in v) for ex, v in means.items()}
            counts = {ex: v[0][1] for ex, v in means.items()}
            line = ", ".join(f"{ex} {graded[ex] * 1000:.0f}" for ex in graded)
            print(f"{name}: {per[name] * 1000:.0f} ms of wall per submission (median of {len(figures)}); "
                  f"mean grading time per submission, ms: {line}")
            for label, subset in (("core seven", [e for e in graded if e in CORE_SEVEN]), ("all", list(graded))):
                n = sum(counts[e] for e in subset)
                if n:
                    print(f"  {label}: {sum(graded[e] * counts[e] for e in subset) / n * 1000:.0f} ms per "
                          f"submission ({n} submissions)")
        same = verdicts["baseline"] == verdicts["this build"]
        print(f"this build is {per['baseline'] / per['this build']:.2f}x the baseline's speed per submission "
              f"(wall); verdicts, errors, scores and checks identical: {same}")
        if not same:
            differ = [k for k in verdicts["baseline"] if verdicts["baseline"][k] != verdicts["this build"].get(k)]
            print(f"  {len(differ)} differ, e.g. {differ[:5]}")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def import_torch_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True, cwd=ROOT)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100, help="students in the synthetic roster (100)")
    parser.add_argument("--sample", type=int, default=14, help="submissions graded the naive way (14)")
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: the cores available)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the single-check timing (median)")
    parser.add_argument("--seed", type=int, default=None, help="grading seed (default: a fresh one)")
    parser.add_argument("--keep", type=Path, default=None, help="build the roster and report here and keep them")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another build's checkout: grade the same roster with it and this build, alternating")
    parser.add_argument("--exercises", default=None,
                        help="core (the core seven), all, or ids (default: core with --baseline, else all)")
    parser.add_argument("--clean", action="store_true",
                        help="every submission the reference solution, none missing (the '700 clean' figure)")
    parser.add_argument("--rounds", type=int, default=2, help="with --baseline: runs of each build (2)")
    args = parser.parse_args(argv)

    course = load_course()
    devices = resolve_devices("all")
    seed = new_seed() if args.seed is None else args.seed
    if args.baseline is not None:
        return compare_builds(args, course, devices, seed)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="d2lcoach-bench-"))
    roster, out = workdir / "roster", workdir / "report"
    if roster.exists() or out.exists():
        print(f"{workdir}: already holds a roster or report; choose an empty folder", file=sys.stderr)
        return 2
    ids = _ids(args.exercises or "all", course)
    if ids is None:
        return 2

    try:
        stats = build_roster(roster, _subset(course, ids), args.students, random.Random(0), clean=args.clean)
        pairs = args.students * len(ids)
        handed_in = pairs - stats["missing"]
        print(f"roster: {args.students} students x {len(ids)} exercises = {pairs} pairs; "
              f"{handed_in} files handed in ({stats['solution']} reference solutions, {stats['stub']} stubs, "
              f"{stats['suite-right']} right and {stats['suite-wrong']} wrong from tests/submissions), "
              f"{stats['missing']} missing" + (f"; {stats['skipped_slow']} slow suite files left out"
                                               if stats["skipped_slow"] else ""))
        print(f"machine: {default_jobs()} cores available; devices {', '.join(devices)}; seed {seed}")

        with TreeMemory() as memory:
            start = time.perf_counter()
            summary = grade_roster(roster, out, course=course, exercises=ids, jobs=args.jobs, seed=seed,
                                   devices=devices)
            wall = time.perf_counter() - start
        self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        graded = summary.graded + summary.reused
        per = wall / graded if graded else float("nan")
        passed = sum(e.passed for e in summary.exercises)
        print(f"batch: {graded} submissions graded in {wall:.1f} s wall with {summary.jobs} job(s), "
              f"sandbox {summary.isolation}; {passed} passed")
        print(f"  {graded / wall:.1f} submissions per second, {per * 1000:.0f} ms per submission "
              f"(goal for 700 in 90 s: under 130 ms)")
        print(f"  peak memory: parent {self_kib / 1024:.0f} MiB RSS, largest child process "
              f"{child_kib / 1024:.0f} MiB RSS, whole tree {memory.peak_kib / 1024:.0f} MiB PSS (sampled)")
        if summary.warning:
            print(f"  {summary.warning}")
        # Mean grading time per submission, per exercise and for the core seven against the whole course.
        timed = {e.id: e.mean_seconds for e in summary.exercises if e.mean_seconds is not None}
        print("  mean grading time per submission: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timed.items()))
        counts = {e.id: e.passed + e.failed + e.timed_out for e in summary.exercises if e.mean_seconds is not None}
        for name, ids in (("core seven", [i for i in timed if i in CORE_SEVEN]), ("whole course", list(timed))):
            n = sum(counts[i] for i in ids)
            if n:
                print(f"  {name}: {sum(timed[i] * counts[i] for i in ids) / n * 1000:.0f} ms per submission "
                      f"({n} submissions)")

        document = json.loads((out / "results.json").read_text())
        submitted = [(student, ex) for student, row in document["students"].items()
                     for ex, entry in row["exercises"].items() if entry["status"] == "graded"]
        step = max(1, len(submitted) // max(1, args.sample))
        sample = submitted[::step][:args.sample]
        times, agree = [], 0
        for student, exercise_id in sample:
            seconds, naive = one_grade(exercise_id, roster / student / f"{exercise_id}.py", seed, devices)
            times.append(seconds)
            entry = document["students"][student]["exercises"][exercise_id]
            if naive is not None and naive["error"] == entry["error"] and naive["checks"] == entry["checks"]:
                agree += 1
        if times:
            naive_per = statistics.mean(times)
            print(f"naive baseline (a fresh interpreter per submission) on {len(times)} sampled submissions: "
                  f"{naive_per * 1000:.0f} ms per submission; the batch is {naive_per / per:.1f}x faster "
                  f"(700 submissions would take {naive_per * 700 / 60:.1f} min the naive way)")
            print(f"  grades agree with the batch: {agree}/{len(times)}")

        softmax = course.get("softmax") if "softmax" in course.ids else course.exercises[0]
        single = [one_grade(softmax.id, softmax.solution_path, seed, devices)[0] for _ in range(args.repeat)]
        torch_only = [import_torch_seconds() for _ in range(args.repeat)]
        check_s, torch_s = statistics.median(single), statistics.median(torch_only)
        print(f"single check-equivalent grade ({softmax.id}, fresh interpreter and sandbox): {check_s:.2f} s; "
              f'python -c "import torch": {torch_s:.2f} s; ratio {check_s / torch_s:.2f} (goal under 1.5; '
              f"median of {args.repeat})")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept: {roster} and {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
