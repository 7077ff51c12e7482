"""The report writer: grades.csv, results.json and feedback/*.md, each rewritten whole and atomically.

A new output format is a new `report_*.py` module called from `write_report`.
"""

from __future__ import annotations

import json

from d2lcoach.instructor.batch.model import BatchSummary, Pair
from d2lcoach.instructor.batch.report_csv import by_student, grades_csv_text
from d2lcoach.instructor.batch.report_feedback import feedback_markdown
from d2lcoach.instructor.batch.report_json import results_document
from d2lcoach.course import Course, Exercise
from d2lcoach.errors import UsageError
from d2lcoach.learner.progress import write_atomically


def write_report(summary: BatchSummary, course: Course, selected: list[Exercise], pairs: list[Pair],
                 digests: dict[str, str]):
    """Write the three parts of the report into summary.out; UsageError when they cannot be written."""
    feedback = summary.feedback_dir
    try:
        if feedback.exists() and not feedback.is_dir():
            raise UsageError(f"{feedback}: is a file, but the feedback folder belongs here")
        feedback.mkdir(exist_ok=True)
        table = by_student(pairs)
        for student in summary.students:
            write_atomically(feedback / f"{student}.md",
                             feedback_markdown(student, course, selected, table[student],
                                               summary.ignored.get(student, []), summary,
                                               [n for n in summary.file_notes if n.student == student]))
        write_atomically(summary.grades_csv, grades_csv_text(summary.students, selected, pairs))
        document = results_document(summary, course, selected, pairs, digests)
        # ASCII only: a control or bidi character in a name or a message is a \u escape, never raw text
        write_atomically(summary.results_json, json.dumps(document, indent=2) + "\n")
    except OSError as exc:
        raise UsageError(f"{summary.out}: cannot write the report: {exc.strerror or exc}") from None
