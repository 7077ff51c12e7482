"""The instructor's command: `d2lcoach grade ROSTER_DIR --out REPORT_DIR`, a thin layer over `instructor.grade_class`.

Register it with `app.command("grade")(grade)`. It parses, shows a progress bar and a summary table,
and maps errors to exit codes: 0 when the class was graded (whatever the scores), 2 for bad input,
1 when the sandbox itself could not run, 130 when interrupted (what was graded is kept).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import List, Optional

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from d2lcoach import console as ui
from d2lcoach.errors import UsageError


def _table(summary) -> Table:
    table = Table(box=box.ASCII if ui._plain() else box.SIMPLE, header_style="bold",
                  title=f"{len(summary.students)} students, seed {summary.seed}")
    for name, justify in (("exercise", "left"), ("passed", "right"), ("failed", "right"),
                          ("timed out", "right"), ("missing", "right"), ("mean time", "right")):
        table.add_column(name, justify=justify)
    for ex in summary.exercises:
        mean = "-" if ex.mean_seconds is None else f"{ex.mean_seconds:.2f} s"
        table.add_row(escape(ex.id), str(ex.passed), str(ex.failed), str(ex.timed_out), str(ex.missing), mean)
    return table


def running_text(labels: list[str], width: int = 40) -> str:
    """The progress bar's description: the submissions being graded now, cut to `width` characters."""
    from d2lcoach.text import clean
    if not labels:
        return "grading"
    text = "grading " + clean(", ".join(labels), one_line=True)
    return text if len(text) <= width else text[:width - 1] + "…"


def grade(
    roster: Path = typer.Argument(..., help="ROSTER_DIR: one folder per student, holding softmax.py, conv2d.py, "
                                  "... (or an LMS submission download: a folder or a .zip)"),
    out: Path = typer.Option(..., "--out", "-o", help="REPORT_DIR: where grades.csv, results.json and "
                             "feedback/ are written (created if missing; a rerun grades only what changed)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Warm sandboxed workers [default: the cores available]."),
    exercise: Optional[List[str]] = typer.Option(None, "--exercise", "-e",
                                                 help="Grade only this exercise id (repeat for more)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="One seed for the whole class "
                                       "[default: the one REPORT_DIR was graded with, else a fresh one]."),
    device: str = typer.Option("all", "--device", help="all, cpu, cuda, npu (a stand-in GPU) or meta."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON summary instead of the table."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", envvar="DASK_SCHEDULER_ADDRESS",
                                            help="Grade on the Dask cluster of this scheduler (tcp://HOST:8786); "
                                            "needs d2lcoach[cluster]."),
    gradebook_format: str = typer.Option("csv", "--format", help="The gradebook to write beside grades.csv: "
                                         "csv, canvas or moodle (an LMS imports it as it is)."),
    per_exercise: bool = typer.Option(False, "--per-exercise", help="One LMS grade per exercise (a Canvas "
                                      "column, a Moodle worksheet each) instead of one for the assignment."),
    assignment: Optional[List[str]] = typer.Option(None, "--assignment", help="The Canvas assignment's column: "
                                                   "'Homework 1 (4321)'; with --per-exercise EXERCISE='Softmax (4322)', "
                                                   "and total=NAME for a total column [default: the course "
                                                   "title, the exercise id]."),
):
    """Grade a whole class: every student's files, sandboxed, into a gradebook and feedback files.

    ROSTER may also be an LMS submission download (Canvas, Moodle, GitHub Classroom), as a folder or a
    .zip; the students keep their LMS ids in the gradebook."""
    from d2lcoach.instructor import grade_class
    from d2lcoach.sandbox import NoSandboxHere, SandboxError

    ui.reset_consoles()
    progress = None
    task = None
    warning = None
    warned = False
    executor = None

    def on_start(used, weak_sandbox):
        nonlocal executor, progress, warning
        executor, warning = used, weak_sandbox
        if not json_output:
            progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=ui.err_console, transient=True)
            progress.start()

    def on_result(event):
        nonlocal task, warned
        if warning and not warned:  # the inputs are good by now: say it before the grading starts
            warned = True
            ui.err_console.print(f"[bold red]{escape(warning)}[/]")
        if progress is None:
            return
        if task is None:
            task = progress.add_task("grading", total=event.total)
        progress.update(task, completed=event.done)

    def on_running(labels):  # name what is being graded now, not what was handed out last
        if progress is not None and task is not None:
            text = running_text(labels) + (f" ({executor.status_text()})" if executor is not None else "")
            progress.update(task, description=escape(text))

    try:
        try:
            done = grade_class(roster, out, fmt=gradebook_format, exercises=exercise or None, scheduler=scheduler,
                               jobs=jobs, seed=seed, devices=device, per_exercise=per_exercise,
                               assignment=assignment, on_start=on_start, on_result=on_result,
                               on_running=on_running)
        finally:
            if progress is not None:
                progress.stop()
    except UsageError as exc:
        ui.error_line(str(exc))
        raise typer.Exit(UsageError.exit_code)
    except NoSandboxHere as exc:  # macOS, Windows: nothing was graded, nothing can be
        ui.error_line(f"the sandbox could not run: {exc}")
        raise typer.Exit(3)
    except SandboxError as exc:
        ui.error_line(f"the sandbox could not run: {exc}; what was graded is kept, run again to finish")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        ui.error_line("interrupted; every grade finished so far is kept in the journal: run the same "
                      "command again to go on")
        raise typer.Exit(130)

    summary = done.summary
    if json_output:
        ui.console.out(json.dumps(done.to_json(), indent=2), highlight=False)
        return
    if done.converted:
        ui.console.print(f"found a {escape(done.export_format)} export: {done.students_found} students")
    for line in done.unplaced:
        ui.console.print(f"[yellow]not graded:[/] {escape(line)}")
    ui.console.print(_table(summary))
    where = (f"on {done.cluster_status} at {scheduler}" if done.cluster_status is not None else
             f"with {summary.jobs} job{'s' if summary.jobs != 1 else ''}")
    ui.console.print(escape(
        f"graded {summary.graded}, reused {summary.reused} from the journal, {summary.missing} missing; "
        f"{summary.seconds:.1f} s {where}; sandbox: {summary.isolation}"))
    if summary.carried:
        ui.console.print(f"kept from the journal without regrading (not asked for with -e): "
                         f"{escape(', '.join(summary.carried))}")
    from d2lcoach.text import clean
    for note in summary.file_notes:
        if not note.not_asked:
            line = clean(f"{note.student}: {note.text.replace('`', '')}", one_line=True)
            ui.console.print(escape(line), highlight=False)
    not_asked = Counter(note.exercise for note in summary.file_notes if note.not_asked)
    if not_asked:
        ui.console.print("handed in but not graded in this run (not asked for with -e): " + ", ".join(
            f"{exercise} ({count} student{'s' if count > 1 else ''})" for exercise, count in sorted(not_asked.items())))
    ignored = sum(len(v) for v in summary.ignored.values()) + len(summary.roster_ignored) - sum(not_asked.values())
    if ignored:
        ui.console.print(f"{ignored} file(s) that are not exercises were ignored (listed in results.json)")
    if summary.internal_errors:
        ui.err_console.print(f"[bold yellow]{summary.internal_errors} submission(s) hit an internal error "
                             "of the grader; they are in the report, and the next run retries them[/]")
    ui.console.print(f"report: {escape(str(summary.grades_csv))}, {escape(str(summary.results_json))}, "
                     f"{escape(str(summary.feedback_dir))}/")
    for path in done.gradebooks:
        what = ("not for import (late flags, notes)" if path.name == "canvas-notes.csv" else
                "feedback for the LMS's bulk upload (docs/lms.md)" if path.suffix == ".zip" else
                "gradebook for the LMS")
        ui.console.print(f"{what}: {escape(str(path))}")
    if gradebook_format == "canvas" and not assignment:
        ui.console.print("the Canvas column is named after the course; name it as your Canvas assignment, with "
                         "its id, by --assignment 'Homework 1 (4321)', or Canvas makes a new assignment of it")
    if summary.warning:
        ui.console.print(f"[bold red]{escape(summary.warning)}[/]")
