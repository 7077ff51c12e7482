"""The instructor's command: `d2lcoach grade ROSTER_DIR --out REPORT_DIR`, a thin layer over `batch.grade_roster`.

Register it with `app.command("grade")(grade)`. It parses, shows a progress bar and a summary table,
and maps errors to exit codes: 0 when the class was graded (whatever the scores), 2 for bad input,
1 when the sandbox itself could not run, 130 when interrupted (what was graded is kept).
"""

from __future__ import annotations

import json
import tempfile
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


def connect_cluster(address: str, devices: list[str], jobs: int | None):
    """The Dask executor for `--scheduler`; Dask is imported only here."""
    if jobs is not None:
        raise UsageError("--jobs sets the local pool; with --scheduler each Dask worker grades with its own threads")
    try:
        from d2lcoach.batch.dask_executor import DaskExecutor
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'd2lcoach[cluster]'") from None
    return DaskExecutor.connect(address, devices)


def running_text(labels: list[str], width: int = 40) -> str:
    """The progress bar's description: the submissions being graded now, cut to `width` characters."""
    from d2lcoach.learner_text import clean
    if not labels:
        return "grading"
    text = "grading " + clean(", ".join(labels), one_line=True)
    return text if len(text) <= width else text[:width - 1] + "…"
def unplaced_files(prepared) -> list[str]:
    """Files of an export that no exercise was graded from, named with their student."""
    lines = [f"{name} (belongs to no student)" for name in prepared.export.unplaced] + prepared.export.set_aside
    for placement in prepared.placements or []:
        lines += [f"{placement.student.key}: {name}" for name in placement.unplaced]
    return lines


def _note_in_feedback(path: Path, placement) -> None:
    """Say in a student's feedback which file each grade came from, and which files were not graded."""
    from d2lcoach.learner_text import clean
    from d2lcoach.progress import write_atomically
    if not path.is_file():
        return
    student = placement.student
    text = path.read_text(encoding="utf-8")
    heading = f"# Feedback for {clean(student.key, one_line=True)}\n"
    if student.name and text.startswith(heading):  # the name as the LMS has it, not the roster folder's
        text = f"# Feedback for {clean(student.name, one_line=True)}\n" + text[len(heading):]
    notes = (["handed in late (the LMS marked it so)"] if student.late else []) + placement.notes
    lines = [f"- {note}" for note in notes]
    lines += [f"- not graded (no exercise of this course): `{name}`" for name in placement.unplaced]
    if lines:
        text = text.rstrip("\n") + "\n\n## Where your grades came from\n\n" + "\n".join(lines) + "\n"
    write_atomically(path, text)


def write_gradebooks(out: Path, prepared, fmt: str, per_exercise: bool = False,
                     assignment: dict[str, str] | None = None) -> list[Path]:
    """students.json (the LMS ids) for a converted export, and the LMS gradebooks asked for."""
    from d2lcoach.gradebook import gradebooks
    from d2lcoach.lms import IDENTITIES_NAME, identities_document
    from d2lcoach.progress import write_atomically
    identities = None
    written = []
    if prepared.placements is not None:
        identities = identities_document(prepared.export, prepared.placements)
        write_atomically(out / IDENTITIES_NAME, json.dumps(identities, indent=2) + "\n")
        for placement in prepared.placements:
            _note_in_feedback(out / "feedback" / f"{placement.student.key}.md", placement)
    if fmt != "csv":
        for book in gradebooks(fmt, out, identities, per_exercise=per_exercise, assignment=assignment):
            write_atomically(out / book.name, book.text)
            written.append(out / book.name)
    return written


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
    from d2lcoach.batch import grade_roster, weak_sandbox_warning
    from d2lcoach.course import load_course
    from d2lcoach.gradebook import GRADEBOOK_FORMATS
    from d2lcoach.grading.engine import resolve_devices
    from d2lcoach.lms import prepare_roster
    from d2lcoach.sandbox import NoSandboxHere, SandboxError, available_level

    ui.reset_consoles()
    progress = None
    task = None
    warning = None
    warned = False

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

    executor = None
    try:
        course = load_course()
        devices = resolve_devices(device)
        if gradebook_format not in GRADEBOOK_FORMATS:
            raise UsageError(f"unknown --format {gradebook_format!r}; choose one of: {', '.join(GRADEBOOK_FORMATS)}")
        from d2lcoach.gradebook import assignment_names
        columns = assignment_names(assignment or [], [e.id for e in course.exercises])
        with tempfile.TemporaryDirectory(prefix="d2lcoach-export-") as scratch:
            prepared = prepare_roster(roster, course, Path(scratch))  # an LMS export becomes a roster
            if scheduler:  # connected before anything is written, so a bad address leaves no trace
                executor = connect_cluster(scheduler, devices, jobs)
            warning = weak_sandbox_warning(executor.level if executor else available_level())
            if not json_output:
                progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), console=ui.err_console, transient=True)
            try:
                if progress is not None:
                    progress.start()
                summary = grade_roster(prepared.roster, out, course=course, jobs=jobs, exercises=exercise or None,
                                       seed=seed, devices=devices, on_result=on_result, on_running=on_running,
                                       executor=executor)
            finally:
                if progress is not None:
                    progress.stop()
                if executor is not None:
                    executor.close()
        written = write_gradebooks(out, prepared, gradebook_format, per_exercise, columns)
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

    if json_output:
        document = summary.to_json()
        document.update({"format": prepared.export.format, "gradebooks": [str(p) for p in written],
                         "unplaced": unplaced_files(prepared)})
        ui.console.out(json.dumps(document, indent=2), highlight=False)
        return
    if prepared.export.format != "roster" or prepared.placements:
        ui.console.print(f"found a {escape(prepared.export.format)} export: {len(prepared.export.students)} "
                         "students")
    for line in unplaced_files(prepared):
        ui.console.print(f"[yellow]not graded:[/] {escape(line)}")
    ui.console.print(_table(summary))
    ui.console.print(
        f"graded {summary.graded}, reused {summary.reused} from the journal, {summary.missing} missing; "
        f"{summary.seconds:.1f} s with {summary.jobs} job(s); sandbox: {summary.isolation}")
    if executor is not None:
        ui.console.print(f"on the Dask cluster at {escape(scheduler)}: {escape(executor.status_text())}")
    if summary.carried:
        ui.console.print(f"kept from the journal without regrading (not asked for with -e): "
                         f"{escape(', '.join(summary.carried))}")
    from d2lcoach.learner_text import clean
    for note in summary.file_notes:
        line = clean(f"{note.student}: {note.text.replace('`', '')}", one_line=True)
        ui.console.print(escape(line), highlight=False)
    ignored = sum(len(v) for v in summary.ignored.values()) + len(summary.roster_ignored)
    if ignored:
        ui.console.print(f"{ignored} file(s) that are not exercises were ignored (listed in results.json)")
    if summary.internal_errors:
        ui.err_console.print(f"[bold yellow]{summary.internal_errors} submission(s) hit an internal error "
                             "of the grader; they are in the report, and the next run retries them[/]")
    ui.console.print(f"report: {escape(str(summary.grades_csv))}, {escape(str(summary.results_json))}, "
                     f"{escape(str(summary.feedback_dir))}/")
    for path in written:
        what = "not for import (late flags, notes)" if path.name == "canvas-notes.csv" else "gradebook for the LMS"
        ui.console.print(f"{what}: {escape(str(path))}")
    if gradebook_format == "canvas" and not assignment:
        ui.console.print("the Canvas column is named after the course; name it as your Canvas assignment, with "
                         "its id, by --assignment 'Homework 1 (4321)', or Canvas makes a new assignment of it")
    if summary.warning:
        ui.console.print(f"[bold red]{escape(summary.warning)}[/]")
