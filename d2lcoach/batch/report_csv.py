"""grades.csv: one row per student, one column per exercise's points, then the total."""

from __future__ import annotations

import csv
import io

from d2lcoach.batch.model import Pair, format_points, points_for
from d2lcoach.course import Exercise


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
    writer.writerow(["student", *[e.id for e in selected], "total", "max_total"])
    max_total = round(sum(e.points for e in selected), 2)
    for student in students:
        row = [student]
        total = 0.0
        for exercise in selected:
            earned = points_for(exercise, table[student][exercise.id].result)
            total += earned
            row.append(format_points(earned))
        row += [format_points(round(total, 2)), format_points(max_total)]
        writer.writerow(row)
    return buffer.getvalue()
