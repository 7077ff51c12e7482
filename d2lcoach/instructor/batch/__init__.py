"""Instructor batch grading: a whole class's folders graded in warm sandboxes, resumably, into a gradebook.

`grade_roster` (run.py) is the one entry point. A roster holds one folder per student with files named
after the exercise ids (`softmax.py`, ...). Every submission is graded by the same engine and sandbox
as `d2lcoach check`, with one seed for the whole batch, so a grade does not depend on the executor or
on `jobs` and equals the grade of that file checked alone.

The seams, one module each:
- roster.py: the inputs checked, the student folders listed;
- journal.py: `journal.jsonl` in REPORT_DIR, one fsynced JSON line per graded submission, which a
  later run reuses for every file that has not changed;
- executor.py: what an executor is given (plain-data jobs) and gives back (plain records);
  local_pool.py is the default executor, a warm pool of sandboxes on this machine;
- report.py with report_csv.py, report_json.py and report_feedback.py: `grades.csv`, `results.json`
  and `feedback/<student>.md`, each rewritten whole and atomically at the end of a run.
The core never prints; `on_result` reports each submission as it is settled.
"""

from d2lcoach.instructor.batch.journal import Journal, grader_digest
from d2lcoach.instructor.batch.model import (
    FEEDBACK_DIRNAME, GRADES_NAME, JOURNAL_NAME, MISSING, RESULTS_NAME, BatchSummary, ExerciseSummary,
    SubmissionEvent, default_jobs, format_points, points_for, verdict_of, weak_sandbox_warning,
)
from d2lcoach.instructor.batch.report_csv import grades_csv_text
from d2lcoach.instructor.batch.report_feedback import feedback_markdown
from d2lcoach.instructor.batch.report_json import results_document
from d2lcoach.instructor.batch.run import grade_roster

__all__ = [
    "FEEDBACK_DIRNAME", "GRADES_NAME", "JOURNAL_NAME", "MISSING", "RESULTS_NAME", "BatchSummary",
    "ExerciseSummary", "Journal", "SubmissionEvent", "default_jobs", "feedback_markdown", "format_points",
    "grade_roster", "grader_digest", "grades_csv_text", "points_for", "results_document", "verdict_of",
    "weak_sandbox_warning",
]
