"""`grade_roster`: a whole class graded through an executor, resumably, into a gradebook."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path

from d2lcoach.instructor.batch.executor import Executor, Finished, Job, Started, result_of
from d2lcoach.instructor.batch.journal import (
    Journal, columns_from_report, grader_digest, journal_key, latest_grades, previous_report, report_lock,
)
from d2lcoach.instructor.batch.local_pool import LocalPool
from d2lcoach.instructor.batch.model import (
    CARRIED, FEEDBACK_DIRNAME, GRADED, GRADES_NAME, JOURNAL_NAME, MISSING, NOT_GRADED, REPORT_VERSION,
    RESULTS_NAME, REUSED, UNREADABLE, BatchSummary, ExerciseSummary, Pair, SubmissionEvent, default_jobs, verdict_of,
    weak_sandbox_warning,
)
from d2lcoach.instructor.batch.report import write_report
from d2lcoach.learner.tutor import load_submission
from d2lcoach.instructor.batch.roster import (FileNote, check_inputs, find_submissions, list_roster, not_asked_text,
                                              select_exercises)
from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.results import CheckResult
from d2lcoach.sandbox import LEVEL_TEXT, Limits, SandboxError, available_level
from d2lcoach.learner.workspace import file_hash


def grade_roster(roster: Path, out: Path, *, course: Course, jobs: int | None = None,
                 exercises: list[str] | None = None, seed: int | None = None,
                 devices: list[str] | None = None,
                 on_result: Callable[[SubmissionEvent], None] | None = None,
                 on_running: Callable[[list[str]], None] | None = None,
                 limits: dict[str, Limits] | None = None,
                 executor: Executor | None = None) -> BatchSummary:
    """Grade every student folder of `roster` into `out` (REPORT_DIR); return what was done.

    jobs: worker sandboxes of the local pool (default: the cores available). exercises: ids to grade
    (default: all). seed: the seed of every grade (default: a fresh one for what this run grades; a file
    graded before and unchanged keeps its grade and seed, so a student cannot learn the next seed). devices: as `resolve_devices` returns (default: "all"). on_result: called in this thread
    once per (student, exercise) pair as it is settled. on_running: called in this thread with the
    submissions (student/exercise) being graded now, whenever that set changes. limits: per exercise
    id, sandbox limits that replace the exercise's own (for tests and special courses). executor:
    where the grading runs (default: the local warm pool of `jobs` sandboxes).
    Raises UsageError for bad input, SandboxError when the sandbox itself cannot run, and
    KeyboardInterrupt as it comes (everything graded so far stays in the journal).
    """
    from d2lcoach.grading.engine import new_seed, resolve_devices  # torch: only once there is grading to do
    started = time.perf_counter()
    roster, out = check_inputs(roster, out)
    selected = select_exercises(course, exercises)
    students, roster_ignored = list_roster(roster)
    devices = list(devices) if devices else resolve_devices("all")
    if executor is None:
        jobs = default_jobs() if jobs is None else int(jobs)
        if jobs < 1:
            raise UsageError(f"--jobs must be at least 1, not {jobs}")
        executor = LocalPool(jobs)
    limits = dict(limits or {})
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the report folder: {exc.strerror or exc}") from None

    with report_lock(out):
        journal = Journal(out / JOURNAL_NAME)
        entries = journal.load()
        report = previous_report(out)
        explicit_seed = seed is not None
        seed = int(seed) if explicit_seed else new_seed()
        level = getattr(executor, "level", None) or available_level()  # a cluster: its weakest worker's
        known = {entry["key"]: entry for entry in entries}
        # A partial regrade (-e) keeps every column the report had: the others are carried over.
        asked = {e.id for e in selected}
        if exercises:
            kept = columns_from_report(report, entries) | asked
            selected = [e for e in course.exercises if e.id in kept]
        carried = [e.id for e in selected if e.id not in asked]
        latest = latest_grades(entries) if carried else {}
        digests = {e.id: grader_digest(e) for e in selected}

        pairs: list[Pair] = []
        ignored: dict[str, list[str]] = {}
        file_notes: list[FileNote] = []
        folders = dict(students)  # per student, the folder their files must not leave
        for student, folder in students:
            files = find_submissions(student, folder, course)
            ignored[student] = files.ignored
            file_notes += [n for n in files.notes if n.graded is False or n.exercise in digests]
            for exercise_id in files.found.keys() - digests.keys():  # handed in, but not asked for (-e)
                shown = files.relpaths[exercise_id]
                ignored[student].append(shown)
                file_notes.append(FileNote(student, shown, exercise_id, False, not_asked_text(shown, asked), True))
            for exercise in selected:
                relpath = files.relpaths.get(exercise.id, exercise.filename)
                pairs.append(Pair(student, exercise, files.found.get(exercise.id), f"{student}/{relpath}"))

        total = len(pairs)
        done = 0
        counts = {"graded": 0, "reused": 0, "missing": 0, "internal": 0}

        def settle(pair: Pair, status: str):
            nonlocal done
            done += 1
            if on_result is not None:
                on_result(SubmissionEvent(pair.student, pair.exercise.id, status, pair.result, done, total))

        to_grade: list[Pair] = []
        for pair in pairs:
            if pair.path is None or not os.path.lexists(pair.path):
                pair.status = MISSING
                counts["missing"] += 1
                settle(pair, MISSING)
                continue
            try:
                pair.source = load_submission(pair.path, pair.exercise, folders[pair.student]).source
            except UsageError as exc:
                text = str(exc)
                prefix = f"{pair.path}: "
                reason = text[len(prefix):] if text.startswith(prefix) else text
                pair.status = UNREADABLE
                pair.result = CheckResult(exercise=pair.exercise.id, file=pair.relpath,
                                          error=f"cannot read the file: {reason}", seed=seed, isolation=level)
                settle(pair, UNREADABLE)
                continue
            pair.status = GRADED
            pair.sha = file_hash(pair.source)
            limit = limits.get(pair.exercise.id)
            pair.key = journal_key(pair.student, pair.exercise.id, pair.sha, digests[pair.exercise.id], devices,
                                   dataclasses.asdict(limit) if limit is not None else None)
            entry = known.get(pair.key)
            if entry is not None and (not explicit_seed or entry.get("seed") == seed):
                pair.result = result_of(entry["record"])
                counts["reused"] += 1
                settle(pair, REUSED)
            elif pair.exercise.id in asked:
                to_grade.append(pair)
            else:  # a column this run was not asked to regrade: the journal's last grade, or none
                entry = latest.get((pair.student, pair.exercise.id))
                pair.status = NOT_GRADED if entry is None else CARRIED
                if entry is not None:
                    pair.result, pair.sha = result_of(entry["record"]), entry.get("sha256")
                settle(pair, pair.status)

        jobs_list = [Job(i, p.exercise, p.relpath, p.source, limits.get(p.exercise.id))
                     for i, p in enumerate(to_grade)]
        running: dict[int, str] = {}
        events = executor.run(jobs_list, seed=seed, devices=devices, level=level)
        try:
            for event in events:
                pair = to_grade[event.index]
                if isinstance(event, Started):
                    if pair.result is None:  # a cluster's notice can arrive after the grade itself
                        running[event.index] = pair.label
                elif isinstance(event, Finished):
                    if pair.result is not None:
                        continue  # already settled (an executor may report a retried job twice)
                    running.pop(event.index, None)
                    pair.result = result_of(event.record)
                    if event.keep:
                        journal.append({"version": REPORT_VERSION, "key": pair.key, "student": pair.student,
                                        "exercise": pair.exercise.id, "sha256": pair.sha,
                                        "grader": digests[pair.exercise.id], "seed": seed,
                                        "devices": devices, "record": event.record})
                        counts["graded"] += 1
                    else:
                        counts["internal"] += 1
                    settle(pair, GRADED)
                if on_running is not None:
                    on_running(list(running.values()))
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
        leftover = [p for p in to_grade if p.result is None]
        if leftover:  # cannot happen unless a worker vanished; never report a pair as graded
            raise SandboxError(f"{len(leftover)} submission(s) were not graded; run again to finish")

        seconds = time.perf_counter() - started
        summary = BatchSummary(
            roster=roster, out=out, students=[s for s, _ in students],
            exercises=exercise_summaries(selected, pairs), seed=seed, devices=devices, isolation=level,
            isolation_text=LEVEL_TEXT.get(level, level), warning=weak_sandbox_warning(level),
            jobs=executor.workers, graded=counts["graded"] + counts["internal"], reused=counts["reused"],
            missing=counts["missing"], internal_errors=counts["internal"], ignored=ignored, file_notes=file_notes,
            carried=carried,
            roster_ignored=roster_ignored, seconds=seconds, grades_csv=out / GRADES_NAME,
            results_json=out / RESULTS_NAME, feedback_dir=out / FEEDBACK_DIRNAME, journal=journal.path)
        write_report(summary, course, selected, pairs, digests)
        return summary


def exercise_summaries(selected: list[Exercise], pairs: list[Pair]) -> list[ExerciseSummary]:
    """Per exercise: how many passed, failed, timed out and are missing, and the mean grading time."""
    summaries = []
    for exercise in selected:
        summary = ExerciseSummary(exercise.id, exercise.title, exercise.points)
        times = []
        for pair in pairs:
            if pair.exercise.id != exercise.id:
                continue
            verdict = verdict_of(pair.status, pair.result)
            if verdict == NOT_GRADED:
                summary.not_graded += 1
                continue
            if verdict == MISSING:
                summary.missing += 1
                continue
            if pair.status == GRADED:
                times.append(pair.result.seconds)
            if verdict == "passed":
                summary.passed += 1
            elif verdict == "timed out":
                summary.timed_out += 1
            else:
                summary.failed += 1
        summary.mean_seconds = sum(times) / len(times) if times else None
        summaries.append(summary)
    return summaries
