"""Gradebooks an LMS imports as they are, written from a graded report (results.json) and the export's ids.

- `canvas`: Student, ID, SIS User ID, SIS Login ID, Section, then one column per Canvas assignment:
  by default one, the instructor's assignment (`Homework 1 (4321)`: its name, and its id where known),
  holding the total; with `per_exercise` one per exercise. Canvas makes a new assignment of every
  column it does not recognise, so nothing else is in it (no total beside the exercises, no late
  flag): those go to `canvas-notes.csv`, which is not for import.
- `moodle`: the assignment's offline grading worksheet (Identifier "Participant N", Grade,
  Last modified (grade), Feedback comments; see `moodle_worksheet`): one grade per assignment, the
  total, or with `per_exercise` one worksheet per exercise.
- `csv`: d2lcoach's own grades.csv (written by `grade` in any case).

Every cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) is quoted with a
leading apostrophe, and control and bidi characters (ESC, OSC, U+202E) are escaped visibly. A
missing submission is an empty cell, not a 0.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
import re
from pathlib import Path

from d2lcoach.text import spreadsheet_safe
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


#: The headers Moodle's assignment importer looks for, in English (mod/assign/lang/en/assign.php:
#: 'recordid', 'lastmodifiedgrade', 'hiddenuser'; lang/en/moodle.php: 'grade'; the comments plugin's
#: 'pluginname' is its one editor field, mod/assign/feedback/comments/locallib.php get_editor_fields).
MOODLE_IDENTIFIER = "Identifier"
MOODLE_GRADE = "Grade"
MOODLE_MODIFIED = "Last modified (grade)"
MOODLE_FEEDBACK = "Feedback comments"
MOODLE_PARTICIPANT = "Participant "


@dataclasses.dataclass
class Gradebook:
    """One file to import: its name in the report folder, and its text."""

    name: str
    text: str


def _feedback_html(text: str) -> str:
    """A feedback file as the HTML of Moodle's "Feedback comments" (stored as FORMAT_HTML): preformatted,
    escaped, and on one line with no quote and no comma (`&#10;`, `&quot;`, `&#44;`), so the cell reads the
    same whichever way a CSV reader treats quotes, backslashes or line ends."""
    body = html.escape(text.strip("\n"), quote=True).replace(",", "&#44;").replace("\r", "")
    return "<pre>" + body.replace("\n", "&#10;") + "</pre>" if body else ""


def _feedback_of(report: Path, key: str, exercise: str | None) -> str:
    """A student's feedback file (written by `grade`), whole or the one exercise's section."""
    try:
        text = (report / "feedback" / f"{key}.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    if exercise is None:
        return text
    match = re.search(rf"^## {re.escape(exercise)}: .*?(?=^## |^---$|\Z)", text, re.S | re.M)
    notes = re.findall(rf"^- {re.escape(exercise)}: .*$", text, re.M)  # where its grade came from
    return (match.group(0) if match else "").rstrip("\n") + "".join(f"\n{note}" for note in notes)


def moodle_worksheet(report: Path, exercises: list[dict], students: list[dict], finished_at: str,
                     exercise: str | None = None) -> str:
    """The offline grading worksheet that Moodle's assignment imports (Grading action: "Upload grading
    worksheet"), followed from mod/assign/feedback/offline/importgradeslib.php (init(), next()) and
    locallib.php (process_import_grades) of moodle/moodle:

    - init() finds the columns by exact header (`$column == get_string(...)`): Identifier, Grade and
      Last modified (grade) must all be there or the file is refused; any other header is ignored
      (so Full name, Maximum Grade and Late may be there).
    - next() strips len("Participant ") characters from the Identifier to get the participant id.
    - a feedback column counts only when its index is not 0 (`!empty($details['index'])`): it is last.
    - the grade goes through unformat_float(); an empty one is skipped ("grade has no value"), as is a
      grade above the assignment's maximum grade: set the Moodle assignment's maximum to Maximum Grade.
    - Last modified (grade) goes through strtotime(); a grade changed in Moodle more than 60 s after it
      is skipped (unless "Allow updating records that have been modified more recently" is ticked), so
      it is the time the class was graded, in ISO 8601 with its zone.
    csvlib's reader then needs every row to have the header's number of cells (always so here).
    """
    writer_buffer = io.StringIO()
    writer = csv.writer(writer_buffer, lineterminator="\n")
    chosen = [e for e in exercises if exercise is None or e["id"] == exercise]
    maximum = round(sum(float(e.get("points") or 0) for e in chosen), 2)
    writer.writerow([MOODLE_IDENTIFIER, "Full name", MOODLE_GRADE, "Maximum Grade", "Late", MOODLE_MODIFIED,
                     MOODLE_FEEDBACK])
    for s in students:
        who = s["identity"]
        ident = f"{MOODLE_PARTICIPANT}{who['id']}" if who.get("id") else s["key"]
        handed_in = [s["points"][e["id"]] for e in chosen if s["points"][e["id"]] is not None]
        grade = round(sum(handed_in), 2) if handed_in else None
        writer.writerow([_text(ident), _text(who.get("name")), _points(grade), _points(maximum),
                         "late" if who.get("late") else "", finished_at,
                         _text(_feedback_html(_feedback_of(report, s["key"], exercise)))])
    return writer_buffer.getvalue()


#: `--assignment total=NAME` with `--per-exercise`: a column for the total too, for an assignment of its own.
TOTAL = "total"


def _canvas_columns(exercises: list[dict], per_exercise: bool, names: dict[str, str], course: str) -> list:
    """(header, exercise ids) of each Canvas assignment column."""
    if per_exercise:  # a total only when asked for (`total=NAME`): Canvas would count its points twice
        total = [(names[TOTAL], [e["id"] for e in exercises])] if TOTAL in names else []
        return [(names.get(e["id"], e["id"]), [e["id"]]) for e in exercises] + total
    return [(names.get("", course), [e["id"] for e in exercises])]


def canvas_gradebook(exercises: list[dict], students: list[dict], columns: list) -> str:
    """Canvas's gradebook CSV: the five identity columns, then one column per Canvas assignment."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    points = {e["id"]: float(e.get("points") or 0) for e in exercises}
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *[_text(h) for h, _ in columns]])
    writer.writerow(["Points Possible", "", "", "", "", *[_points(round(sum(points[i] for i in ids), 2))
                                                          for _, ids in columns]])
    for s in students:
        who = s["identity"]
        cells = []
        for _, ids in columns:
            handed_in = [s["points"][i] for i in ids if s["points"][i] is not None]
            cells.append(_points(round(sum(handed_in), 2)) if handed_in else "")
        writer.writerow([_text(who.get(k)) for k in ("name", "id", "sis_id", "login", "section")] + cells)
    return buffer.getvalue()


def canvas_notes(students: list[dict]) -> str:
    """What Canvas must not import (it would make an assignment of each column): late flags, notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Student", "ID", "Late", "Graded files", "Notes"])
    for s in students:
        who = s["identity"]
        files = who.get("files") or {}
        writer.writerow([_text(who.get("name")), _text(who.get("id")), "late" if who.get("late") else "",
                         _text("; ".join(f"{k}: {v}" for k, v in files.items())),
                         _text("; ".join(who.get("notes") or []))])
    return buffer.getvalue()


def gradebooks(fmt: str, report: Path, identities: dict | None, *, per_exercise: bool = False,
               assignment: dict[str, str] | None = None) -> list[Gradebook]:
    """The files to import into the LMS `fmt` (and, for Canvas, the notes kept out of the import).

    assignment: the LMS assignment's column name, `{"": "Homework 1 (4321)"}`, or per exercise id
    with `per_exercise` (default: the course's title, or the exercise id)."""
    if fmt not in GRADEBOOK_FORMATS:
        raise UsageError(f"unknown gradebook format {fmt!r}; choose one of: {', '.join(GRADEBOOK_FORMATS)}")
    if fmt == "csv":
        return [Gradebook("grades.csv", gradebook_text("csv", report, identities))]
    document = _load(report)
    exercises, students = rows(report, identities)
    if fmt == "canvas":
        columns = _canvas_columns(exercises, per_exercise, assignment or {}, document.get("course") or "d2lcoach")
        return [Gradebook("gradebook-canvas.csv", canvas_gradebook(exercises, students, columns)),
                Gradebook("canvas-notes.csv", canvas_notes(students))]
    finished = document.get("finished_at") or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    finished = finished.replace("Z", "+00:00")
    if not per_exercise:
        return [Gradebook("gradebook-moodle.csv", moodle_worksheet(report, exercises, students, finished))]
    return [Gradebook(f"gradebook-moodle-{e['id']}.csv", moodle_worksheet(report, exercises, students, finished,
                                                                          e["id"])) for e in exercises]


def gradebook_text(fmt: str, report: Path, identities: dict | None) -> str:
    """The first file `gradebooks` writes for `fmt` (d2lcoach's own grades.csv for `csv`)."""
    if fmt != "csv":
        return gradebooks(fmt, report, identities)[0].text
    exercises, students = rows(report, identities)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    max_total = round(sum(float(e.get("points") or 0) for e in exercises), 2)
    writer.writerow(["student", *[e["id"] for e in exercises], "total", "max_total"])
    for s in students:
        writer.writerow([_text(s["key"]), *[_points(s["points"][e["id"]]) for e in exercises],
                         _points(s["total"]), _points(max_total)])
    return buffer.getvalue()


def assignment_names(values: list[str], exercise_ids: list[str]) -> dict[str, str]:
    """`--assignment` values as column names: `NAME` names the one assignment, `EXERCISE=NAME` an
    exercise's (with `--per-exercise`), `total=NAME` a total column beside them; a name may hold `=`
    itself when what precedes it is no exercise."""
    names: dict[str, str] = {}
    for value in values:
        key, _, name = value.partition("=")
        key, name = (key, name) if key in [*exercise_ids, TOTAL] and name else ("", value)
        if not name.strip():
            raise UsageError(f"--assignment {value!r}: an empty assignment name")
        if key in names:
            raise UsageError(f"--assignment names {'the assignment' if not key else key} twice")
        names[key] = name.strip()
    return names
