"""Grade many (exercise, source, seed) jobs in parallel, one warm sandbox per thread, as the batch pool does."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from pathlib import Path

from d2lcoach.course import Exercise
from d2lcoach.grading.engine import grade_source
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import Limits, Sandbox


@dataclasses.dataclass(frozen=True)
class Job:
    exercise: Exercise
    source: str
    filename: str
    seed: int
    limits: Limits | None = None


class GradingPool:
    """`jobs` threads, each lazily owning one warm Sandbox that survives across `grade()` calls."""

    def __init__(self, jobs: int, devices: list[str], hidden: list[Path] | None = None):
        self.jobs = max(1, jobs)
        self.devices = devices
        self.hidden = list(hidden or [])
        self._local = threading.local()
        self._boxes: list[Sandbox] = []
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs,
                                                               thread_name_prefix="d2lcoach-dev")

    def _box(self) -> Sandbox:
        box = getattr(self._local, "box", None)
        if box is None:
            box = self._local.box = Sandbox(hidden=self.hidden, cuda="cuda" in self.devices, meta="meta" in self.devices).start()
            with self._lock:
                self._boxes.append(box)
        return box

    def _grade(self, job: Job) -> CheckResult:
        try:
            return grade_source(job.exercise, job.source, job.filename, sandbox=self._box(),
                                devices=self.devices, seed=job.seed, limits=job.limits)
        except Exception as exc:  # a bug of ours on this job: shown as an error, never a silent pass
            return CheckResult(exercise=job.exercise.id, file=job.filename, seed=job.seed,
                               error=f"d2lcoach failed grading it: {type(exc).__name__}: {exc}".splitlines()[0])

    def grade(self, jobs: list[Job]) -> list[CheckResult]:
        """The results, in the order of `jobs`."""
        return list(self._executor.map(self._grade, jobs))

    def close(self):
        self._executor.shutdown(wait=True)
        for box in self._boxes:
            box.close()

    def __enter__(self) -> "GradingPool":
        return self

    def __exit__(self, *exc):
        self.close()
