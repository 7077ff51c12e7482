"""Benchmark of grading on a Dask LocalCluster against the local warm pool, on the same roster, in one run.

Builds the synthetic roster of bench_batch.py (default: enough students x the course's exercises for
700 submissions), grades it with the local pool (--jobs workers) and then on a LocalCluster of as many
single-threaded worker processes, checks that both grades.csv are byte-identical, and prints the
wall times, the cluster's overhead (goal: at most 1.25x) and the projected time for 700,000
submissions on N workers from the measured cost per submission. No assertions on time.

    python benchmarks/bench_dask.py [--students N] [--jobs N] [--chunk N]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_batch import build_roster  # noqa: E402
from d2lcoach.instructor.batch import default_jobs, grade_roster  # noqa: E402
from d2lcoach.course import load_course  # noqa: E402
from d2lcoach.grading.engine import new_seed, resolve_devices  # noqa: E402

MOOC = 700_000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=None,
                        help="students in the synthetic roster (default: enough for 700 submissions)")
    parser.add_argument("--jobs", type=int, default=None, help="local workers = cluster workers (the cores)")
    parser.add_argument("--chunk", type=int, default=None, help="submissions per Dask task (default: sized to the workers)")
    parser.add_argument("--seed", type=int, default=None, help="grading seed (default: a fresh one)")
    args = parser.parse_args(argv)

    import distributed
    from d2lcoach.instructor.batch.dask_executor import DaskExecutor

    course = load_course()
    devices = resolve_devices("all")
    seed = new_seed() if args.seed is None else args.seed
    jobs = args.jobs or default_jobs()
    students = args.students or -(-700 // len(course.exercises))
    workdir = Path(tempfile.mkdtemp(prefix="d2lcoach-bench-dask-"))
    try:
        roster = workdir / "roster"
        stats = build_roster(roster, course, students, random.Random(0))
        pairs = students * len(course.exercises)
        print(f"roster: {pairs} pairs, {pairs - stats['missing']} files handed in; {jobs} workers; "
              f"devices {', '.join(devices)}; seed {seed}")

        start = time.perf_counter()
        local = grade_roster(roster, workdir / "local", course=course, jobs=jobs, seed=seed, devices=devices)
        local_s = time.perf_counter() - start
        print(f"local pool: {local.graded} graded in {local_s:.1f} s ({local_s / local.graded * 1000:.0f} ms each)")

        with distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=40) as cluster:
            start = time.perf_counter()  # connecting and the workers' warm-up count against the cluster
            executor = DaskExecutor.connect(cluster.scheduler_address, devices, chunk=args.chunk)
            try:
                remote = grade_roster(roster, workdir / "dask", course=course, seed=seed, devices=devices,
                                      executor=executor)
            finally:
                executor.close()
            dask_s = time.perf_counter() - start
        same = (workdir / "local" / "grades.csv").read_bytes() == (workdir / "dask" / "grades.csv").read_bytes()
        per_worker = dask_s * jobs / remote.graded
        print(f"dask LocalCluster: {remote.graded} graded in {dask_s:.1f} s ({dask_s / remote.graded * 1000:.0f} ms "
              f"each); overhead {dask_s / local_s:.2f}x the local pool (goal: at most 1.25x); "
              f"grades.csv byte-identical: {same}")
        print(f"cost per submission and worker: {per_worker:.3f} s; {MOOC:,} submissions would take "
              + ", ".join(f"{MOOC * per_worker / n / 60:.0f} min on {n} workers" for n in (64, 256, 1024)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
