"""results.json: the whole run as one JSON document, every check of every submission."""

from __future__ import annotations

import datetime as dt

from d2lcoach import __version__
from d2lcoach.instructor.batch.model import MISSING, REPORT_VERSION, BatchSummary, Pair, points_for, verdict_of
from d2lcoach.instructor.batch.report_csv import by_student
from d2lcoach.course import Course, Exercise
from d2lcoach.grading.version import GRADER_VERSION


def pair_json(pair: Pair) -> dict:
    exercise, result = pair.exercise, pair.result
    if result is None:  # missing, or not graded yet: no points rather than a 0 that looks graded
        missing = pair.status == MISSING
        return {"status": pair.status, "file": None if missing else pair.relpath, "sha256": pair.sha,
                "points": None, "max_points": exercise.points, "score": None, "passed": False,
                "verdict": verdict_of(pair.status, None), "error": pair.status, "zero_score": False,
                "checks": [], "seconds": 0.0, "output": "", "seed": None}
    return {"status": pair.status, "file": pair.relpath, "sha256": pair.sha,
            "points": points_for(exercise, result), "max_points": exercise.points, "score": result.score,
            "passed": result.passed, "verdict": verdict_of(pair.status, result), "error": result.error,
            "zero_score": result.zero_score, "checks": [c.to_json() for c in result.checks],
            "seconds": round(result.seconds, 4), "output": result.output, "seed": result.seed}


def results_document(summary: BatchSummary, course: Course, selected: list[Exercise], pairs: list[Pair],
                     digests: dict[str, str]) -> dict:
    table = by_student(pairs)
    students = {}
    for student in summary.students:
        row = {e.id: pair_json(table[student][e.id]) for e in selected}
        students[student] = {
            "total": round(sum(r["points"] or 0.0 for r in row.values()), 2),
            "max_total": round(sum(e.points for e in selected), 2),
            "ignored": summary.ignored.get(student, []),
            "file_notes": [n.to_json() for n in summary.file_notes if n.student == student],
            "exercises": row,
        }
    return {
        "version": REPORT_VERSION,
        "managed_by": "d2lcoach grade: rewritten whole on every run; the journal beside it keeps each grade",
        "d2lcoach_version": __version__,
        "grader_version": GRADER_VERSION,
        "course": course.title,
        "roster": str(summary.roster),
        "isolation": summary.isolation,
        "isolation_text": summary.isolation_text,
        "warning": summary.warning,
        "seed": summary.seed,
        "devices": summary.devices,
        "jobs": summary.jobs,
        "graded": summary.graded,
        "reused": summary.reused,
        "carried": summary.carried,
        "seconds": round(summary.seconds, 3),
        "finished_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exercises": [{"id": e.id, "title": e.title, "points": e.points, "time_limit": e.time_limit,
                       "grader": digests[e.id]} for e in selected],
        "summary": [s.to_json() for s in summary.exercises],
        "roster_ignored": summary.roster_ignored,
        "students": students,
    }
