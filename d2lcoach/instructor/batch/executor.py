"""The executor seam: what any executor (the local warm pool, a Dask cluster) is given and gives back.

An executor receives `Job`s (plain data: the exercise, the file's text, its limits) and yields
`Started` and `Finished` events; a `Finished` carries the grade as a plain record (`CheckResult.to_record()`
plus the learner's output), the same record the journal keeps. Only the caller, in its own thread,
writes the journal and the report. `grade_job` is the one way a job is graded, whatever the executor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Protocol, Union

from d2lcoach.course import Exercise
from d2lcoach.errors import UsageError
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import Limits, Sandbox, SandboxError

INTERNAL = "internal error while grading (not the submission's fault; run again to retry)"


@dataclasses.dataclass(frozen=True)
class Job:
    """One submission to grade: plain data, so it can travel to another process or machine."""

    index: int  # the caller's handle for this job
    exercise: Exercise
    relpath: str  # student/exercise.py, as the grade names the file
    source: str
    limits: Limits | None = None


@dataclasses.dataclass(frozen=True)
class Started:
    """The job `index` is being graded now."""

    index: int


@dataclasses.dataclass(frozen=True)
class Finished:
    """The job `index` is graded. keep: False for an internal error of ours (report it, do not journal it)."""

    index: int
    record: dict
    keep: bool


Event = Union[Started, Finished]


class Executor(Protocol):
    """Grades jobs somewhere; `workers` is how many submissions it grades at once."""

    workers: int

    def run(self, jobs: list[Job], *, seed: int, devices: list[str], level: str) -> Iterator[Event]:
        """Yield a Started (optional) and exactly one Finished per job, in any order. Raise SandboxError
        when grading cannot go on; closing the iterator stops the work."""


def record_of(result: CheckResult) -> dict:
    """The plain record of a grade, as executors return it and the journal keeps it."""
    record = result.to_record()
    record["output"] = result.output
    return record


def result_of(record: dict) -> CheckResult:
    """The CheckResult of a record made by `record_of`."""
    result = CheckResult.from_record(record)
    result.output = str(record.get("output", ""))
    return result


def grade_job(job: Job, box: Sandbox, *, devices: list[str], seed: int) -> tuple[dict, bool]:
    """Grade one job in a warm sandbox: (record, keep). A sandbox failure is retried once in a fresh
    worker, then raised; any other exception is a bug of ours, recorded with keep=False."""
    from d2lcoach.grading import engine  # torch: imported only where a submission is graded
    for attempt in (1, 2):
        try:
            result = engine.grade_source(job.exercise, job.source, job.relpath, sandbox=box, devices=devices,
                                         seed=seed, limits=job.limits)
            return record_of(result), True
        except SandboxError:
            box.close()
            if attempt == 2:
                raise
        except Exception as exc:  # a bug of ours on this submission: record it, do not journal it
            box.close()  # the worker may be in an unknown state
            message = f"{INTERNAL}: {type(exc).__name__}: {exc}".splitlines()[0][:500]
            return record_of(CheckResult(exercise=job.exercise.id, file=job.relpath, error=message, seed=seed,
                                         isolation=box.level)), False
    raise AssertionError("unreachable")


def wait_ready(box: Sandbox):
    """Start the sandbox's worker and wait for its greeting; a worker that cannot start is retried once."""
    # Waiting before the first submission keeps the worker's start-up out of that submission's time.
    for attempt in (1, 2):
        try:
            box.start()
            box.wait_ready()
            return
        except SandboxError:
            box.close()
            if attempt == 2:
                raise


def warm_references(exercises: list[Exercise], seed: int):
    """Build each exercise's cases and reference answers once, in this thread, before grading."""
    from d2lcoach.grading import engine
    for exercise in exercises:
        try:
            engine.prepare(exercise, seed)
        except Exception as exc:
            raise UsageError(f"{exercise.grader_path}: the grader or reference solution of {exercise.id!r} "
                             f"fails with seed {seed}: {type(exc).__name__}: {exc}".splitlines()[0]) from None
