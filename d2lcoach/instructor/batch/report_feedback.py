"""feedback/<student>.md: per exercise the points, the verdict and the messages `check` shows."""

from __future__ import annotations

import re

from d2lcoach import __version__
from d2lcoach.instructor.batch.model import CARRIED, MISSING, NOT_GRADED, BatchSummary, Pair, format_points, points_for, verdict_of
from d2lcoach.instructor.batch.roster import FileNote
from d2lcoach.course import Course, Exercise
from d2lcoach.grading.version import GRADER_VERSION
from d2lcoach.grading.scoring import format_points as format_property_points
from d2lcoach.text import clean


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _block(text: str) -> list[str]:
    fence = _fence(text)
    return [fence + "text", text.rstrip("\n"), fence]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _points(exercise: Exercise, pair: Pair) -> str:
    """Points earned, or '-' where nothing was graded (never a 0 that looks graded)."""
    return "-" if pair.result is None else format_points(points_for(exercise, pair.result))


def feedback_markdown(student: str, course: Course, selected: list[Exercise], row: dict[str, Pair],
                      ignored: list[str], summary: BatchSummary, notes: list[FileNote] = ()) -> str:
    """One student's feedback: per exercise the points, the verdict and the messages `check` shows;
    notes on misnamed files. The total counts a missing exercise as 0 out of its points."""
    total = round(sum(points_for(e, row[e.id].result) for e in selected), 2)
    max_total = round(sum(e.points for e in selected), 2)
    lines = [f"# Feedback for {student}", "", f"{course.title}", "",
             f"**Total: {format_points(total)} / {format_points(max_total)} points**", "",
             "| exercise | points | result |", "|---|---|---|"]
    for e in selected:
        pair = row[e.id]
        lines.append(f"| {e.id} | {_points(e, pair)} / {format_points(e.points)} "
                     f"| {verdict_of(pair.status, pair.result)} |")
    for e in selected:
        pair = row[e.id]
        result = pair.result
        lines += ["", f"## {e.id}: {e.title} (D2L {e.section})", "",
                  f"**{_points(e, pair)} / {format_points(e.points)} points: "
                  f"{verdict_of(pair.status, result)}**", ""]
        if pair.status == MISSING:
            lines.append(f"No `{e.filename}` was handed in.")
            continue
        for note in notes:
            if note.graded and note.exercise == e.id:
                lines += [f"Note: {note.text}.", ""]
        if pair.status == NOT_GRADED:
            lines.append(f"`{pair.relpath.split('/', 1)[1]}` is handed in but not graded yet: the last run "
                         "regraded other exercises only.")
            continue
        if pair.status == CARRIED:
            lines += ["Carried over from an earlier run: the last run regraded other exercises only, and this "
                      "file or its grader has changed since.", ""]
        if result.error:
            lines.append("The submission could not be graded:")
            lines.append("")
            lines += _block(result.error)
        if result.checks:
            if result.error:
                lines.append("")
            lines += ["| check | device | result |", "|---|---|---|"]
            lines += [f"| {_cell(c.name)} | {c.device} | {'pass' if c.passed else 'FAIL'} |" for c in result.checks]
            if result.properties and not result.error:
                lines += ["", "Points by property (earned/weight): " + format_property_points(result.properties)]
        if result.zero_score:
            lines += ["", "A forbidden routine or import scores 0 for the whole exercise."]
        shown = set()
        failures = [c for c in result.failures() if not (c.message in shown or shown.add(c.message))]
        if failures:
            lines += ["", "### What to fix"]
            for check in failures:
                lines += ["", f"**{_cell(check.name)}** ({check.device})", ""]
                lines += _block(check.message)
        if result.output.strip():
            lines += ["", "### Your code printed", ""]
            lines += _block(result.output.strip())
        if result.seed is not None and (result.checks or result.error):
            lines += ["", f"Graded with seed {result.seed}; reproduce this grade with "
                          f"`d2lcoach check {e.id} --seed {result.seed}`."]
    if ignored:
        explained = {n.file: n.text for n in notes if not n.graded}
        lines += ["", "## Files not graded", "", "These files were not graded:", ""]
        lines += [f"- {explained[name]}" if name in explained else f"- `{name}`" for name in ignored]
    lines += ["", "---", "",
              f"Graded by d2lcoach {__version__} (grader version {GRADER_VERSION}) "
              f"on {', '.join(summary.devices)}, in the {summary.isolation} sandbox. "
              "Each new or changed file is graded with a fresh seed.", ""]
    return clean("\n".join(lines))  # again here: a journal from an older grader may hold raw escapes
