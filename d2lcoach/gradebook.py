"""Gradebooks an LMS imports as they are, written from a graded report (results.json) and the export's ids.

- `canvas`: Student, ID, SIS User ID, SIS Login ID, Section, then one column per exercise and the
  total; a second row "Points Possible" as Canvas's own export has it.
- `moodle`: Full name, Identifier ("Participant N", as Moodle's grading worksheet names it), then
  one column per exercise and the total.
- `csv`: d2lcoach's own grades.csv (written by `grade` in any case).

Every cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) is quoted with a
leading apostrophe, and control and bidi characters (ESC, OSC, U+202E) are escaped visibly. A
missing submission is an empty cell, not a 0.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from d2lcoach.batch.report_csv import spreadsheet_safe
from d2lcoach.errors import UsageError

GRADEBOOK_FORMATS = ("csv", "canvas", "moodle")


def _text(value) -> str:
    """An id or a name as a cell: text, never a formula."""
    return spreadsheet_safe("" if value is None else str(value))


def _points(value) -> str:
    if value is None:
        return ""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _load(report: Path) -> dict:
    path = report / "results.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: not found; grade the class first") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the report: {exc}") from None


def rows(report: Path, identities: dict | None) -> tuple[list[dict], list[dict]]:
    """(exercises, students) of a report: per student its ids and points per exercise (None: missing)."""
    document = _load(report)
    exercises = document.get("exercises") or []
    students = []
    ids = (identities or {}).get("students", {})
    for key, entry in (document.get("students") or {}).items():
        identity = ids.get(key, {"name": key, "id": "", "sis_id": "", "login": "", "section": ""})
        points = {}
        for exercise in exercises:
            cell = (entry.get("exercises") or {}).get(exercise["id"], {})
            points[exercise["id"]] = None if cell.get("status") == "missing" else cell.get("points")
        handed_in = [v for v in points.values() if v is not None]
        students.append({"key": key, "identity": identity, "points": points,
                         "total": round(sum(handed_in), 2) if handed_in else None})
    return exercises, students


def gradebook_text(fmt: str, report: Path, identities: dict | None) -> str:
    if fmt not in GRADEBOOK_FORMATS:
        raise UsageError(f"unknown gradebook format {fmt!r}; choose one of: {', '.join(GRADEBOOK_FORMATS)}")
    exercises, students = rows(report, identities)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    titles = [e["id"] for e in exercises] + ["d2lcoach total"]
    max_total = round(sum(float(e.get("points") or 0) for e in exercises), 2)
    if fmt == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *titles])
        writer.writerow(["Points Possible", "", "", "", "", *[_points(e.get("points")) for e in exercises],
                         _points(max_total)])
        for s in students:
            who = s["identity"]
            writer.writerow([_text(who.get(k)) for k in ("name", "id", "sis_id", "login", "section")] + [
                             *[_points(s["points"][e["id"]]) for e in exercises], _points(s["total"])])
    elif fmt == "moodle":
        writer.writerow(["Full name", "Identifier", *titles])
        for s in students:
            who = s["identity"]
            ident = f"Participant {who['id']}" if who.get("id") else s["key"]
            writer.writerow([_text(who.get("name")), _text(ident),
                             *[_points(s["points"][e["id"]]) for e in exercises], _points(s["total"])])
    else:
        writer.writerow(["student", *[e["id"] for e in exercises], "total", "max_total"])
        for s in students:
            writer.writerow([_text(s["key"]), *[_points(s["points"][e["id"]]) for e in exercises],
                             _points(s["total"]), _points(max_total)])
    return buffer.getvalue()
