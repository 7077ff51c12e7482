"""grades.csv: one row per student, one column per exercise's points, then the total.

A cell is empty where no file was handed in (or a partial regrade has not graded it yet): it adds
nothing to `total`, which stays out of `max_total`, the points of every column. No cell can start a
spreadsheet formula: one that starts with =, +, -, @, a tab or a carriage return gets a leading '; no
cell holds a control or bidi character (escaped visibly, as in feedback).
"""

from __future__ import annotations

import csv
import io

from d2lcoach.instructor.batch.model import Pair, format_points, points_for
from d2lcoach.course import Exercise
from d2lcoach.text import spreadsheet_safe


def by_student(pairs: list[Pair]) -> dict[str, dict[str, Pair]]:
    """The pairs as a table: student -> exercise id -> pair."""
    table: dict[str, dict[str, Pair]] = {}
    for pair in pairs:
        table.setdefault(pair.student, {})[pair.exercise.id] = pair
    return table


def grades_csv_text(students: list[str], selected: list[Exercise], pairs: list[Pair]) -> str:
    table = by_student(pairs)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_safe(name) for name in ["student", *[e.id for e in selected], "total", "max_total"]])
    max_total = round(sum(e.points for e in selected), 2)
    for student in students:
        row = [spreadsheet_safe(student)]
        total = 0.0
        for exercise in selected:
            result = table[student][exercise.id].result
            earned = points_for(exercise, result)
            total += earned
            row.append("" if result is None else format_points(earned))
        row += [format_points(round(total, 2)), format_points(max_total)]
        writer.writerow(row)
    return buffer.getvalue()
