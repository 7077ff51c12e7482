"""The instructor's command: `d2lcoach grade ROSTER_DIR --out REPORT_DIR`, a thin layer over `batch.grade_roster`.

Register it with `app.command("grade")(grade)`. It parses, shows a progress bar and a summary table,
and maps errors to exit codes: 0 when the class was graded (whatever the scores), 2 for bad input,
1 when the sandbox itself could not run, 130 when interrupted (what was graded is kept).
"""

from __future__ import annotations

import json
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
    if not labels:
        return "grading"
    text = "grading " + ", ".join(labels)
    return text if len(text) <= width else text[:width - 1] + "…"


def grade(
    roster: Path = typer.Argument(..., help="ROSTER_DIR: one folder per student, holding softmax.py, conv2d.py, ..."),
    out: Path = typer.Option(..., "--out", "-o", help="REPORT_DIR: where grades.csv, results.json and "
                             "feedback/ are written (created if missing; a rerun grades only what changed)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Warm sandboxed workers [default: the cores available]."),
    exercise: Optional[List[str]] = typer.Option(None, "--exercise", "-e",
                                                 help="Grade only this exercise id (repeat for more)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="One seed for the whole class "
                                       "[default: the one REPORT_DIR was graded with, else a fresh one]."),
    device: str = typer.Option("all", "--device", help="all, cpu, cuda or meta."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON summary instead of the table."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", envvar="DASK_SCHEDULER_ADDRESS",
                                            help="Grade on the Dask cluster of this scheduler (tcp://HOST:8786); "
                                            "needs d2lcoach[cluster]."),
):
    """Grade a whole class: every student's files, sandboxed, into a gradebook and feedback files."""
    from d2lcoach.batch import grade_roster, weak_sandbox_warning
    from d2lcoach.course import load_course
    from d2lcoach.grading.engine import resolve_devices
    from d2lcoach.sandbox import SandboxError, available_level

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
        if scheduler:  # connected before anything is written, so a bad address leaves no trace
            executor = connect_cluster(scheduler, devices, jobs)
        warning = weak_sandbox_warning(executor.level if executor else available_level())
        if not json_output:
            progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=ui.err_console, transient=True)
        try:
            if progress is not None:
                progress.start()
            summary = grade_roster(roster, out, course=course, jobs=jobs, exercises=exercise or None,
                                   seed=seed, devices=devices, on_result=on_result, on_running=on_running,
                                   executor=executor)
        finally:
            if progress is not None:
                progress.stop()
            if executor is not None:
                executor.close()
    except UsageError as exc:
        ui.error_line(str(exc))
        raise typer.Exit(UsageError.exit_code)
    except SandboxError as exc:
        ui.error_line(f"the sandbox could not run: {exc}; what was graded is kept, run again to finish")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        ui.error_line("interrupted; every grade finished so far is kept in the journal: run the same "
                      "command again to go on")
        raise typer.Exit(130)

    if json_output:
        ui.console.out(json.dumps(summary.to_json(), indent=2), highlight=False)
        return
    ui.console.print(_table(summary))
    ui.console.print(
        f"graded {summary.graded}, reused {summary.reused} from the journal, {summary.missing} missing; "
        f"{summary.seconds:.1f} s with {summary.jobs} job(s); sandbox: {summary.isolation}")
    if executor is not None:
        ui.console.print(f"on the Dask cluster at {escape(scheduler)}: {escape(executor.status_text())}")
    if summary.carried:
        ui.console.print(f"kept from the journal without regrading (not asked for with -e): "
                         f"{escape(', '.join(summary.carried))}")
    for note in summary.file_notes:
        ui.console.print(f"{escape(note.student)}: {escape(note.text.replace('`', ''))}", highlight=False)
    ignored = sum(len(v) for v in summary.ignored.values()) + len(summary.roster_ignored)
    if ignored:
        ui.console.print(f"{ignored} file(s) that are not exercises were ignored (listed in results.json)")
    if summary.internal_errors:
        ui.err_console.print(f"[bold yellow]{summary.internal_errors} submission(s) hit an internal error "
                             "of the grader; they are in the report, and the next run retries them[/]")
    ui.console.print(f"report: {escape(str(summary.grades_csv))}, {escape(str(summary.results_json))}, "
                     f"{escape(str(summary.feedback_dir))}/")
    if summary.warning:
        ui.console.print(f"[bold red]{escape(summary.warning)}[/]")
