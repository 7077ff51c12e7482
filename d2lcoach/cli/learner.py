"""The learner's commands: next, check, list, hint, reset, solution, doctor (joined in d2lcoach.cli.main)."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from d2lcoach import console as out
from d2lcoach.cli.context import EARLY, course_and_workspace, guarded, state
from d2lcoach.errors import UsageError

@guarded
def next_command(
    exercise: Optional[str] = typer.Option(None, "--exercise", "-e", help="Start this exercise instead "
                                           "(prerequisites are advice, never a lock)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
    as_notebook: bool = typer.Option(False, "--notebook", help="Write the exercise as a Jupyter notebook "
                                     "(the task, the stub and a check cell) instead of a .py file."),
    convert: bool = typer.Option(False, "--convert", help="When the exercise's other form already holds your "
                                 "work (.py or notebook), turn it into this one; the old file is kept as a backup."),
):
    """Get the next exercise: copies its stub into the workspace and shows the task."""
    from d2lcoach.learner import tutor
    course, workspace = course_and_workspace("new")
    try:
        task = tutor.next_task(course, workspace, exercise, as_notebook=as_notebook, convert=convert)
    except tutor.SourceConflict as conflict:
        if json_output or not _can_ask():
            raise  # no one to ask: nothing changes, and the error names --convert
        if not typer.confirm(f"{conflict.other} already holds your work; turn it into {conflict.wanted.name} "
                             "(the old file is kept as a backup)?", default=False):
            out.console.print(f"nothing changed: keep working in {escape(str(conflict.other))}")
            return
        task = tutor.next_task(course, workspace, exercise, as_notebook=as_notebook, convert=True)
    ex = task.exercise
    if json_output:
        print(json.dumps({"exercise": ex.id, "file": str(task.path), "created": task.created,
                          "chapter": ex.chapter.number, "section": ex.section, "title": ex.title,
                          "all_passed": task.all_passed,
                          "converted_from": str(task.converted_from) if task.converted_from else None}))
        return
    c = out.console
    if task.all_passed:
        c.print("[bold green]You have passed every exercise of the course.[/] Here is the last one again.")
    c.print(f"[bold]Chapter {ex.chapter.number}: {escape(ex.chapter.title)}[/] - D2L {escape(ex.section)}")
    c.print(f"[bold cyan]{escape(ex.id)}[/]: {escape(ex.title)}   [dim]({ex.points:g} points)[/]")
    if task.summary:
        c.print(escape(task.summary))
    for line in task.signature:
        c.print("    " + escape(line))
    state_text = "created" if task.created else "already there, kept as you left it"
    if task.converted_from is not None:
        state_text = f"converted from your file, now kept as {task.converted_from}"
    c.print(f"File to edit: [bold]{escape(str(task.path))}[/] ({state_text})")
    c.print(f"Read: {escape(ex.link)}")
    c.print("When ready: [bold]d2lcoach check[/]   stuck? [bold]d2lcoach hint[/]")


def _can_ask() -> bool:
    """Whether a person at a terminal can answer a yes/no question."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _json_on_error(fn):
    """`check --json` prints its one JSON object (`error` set) on bad input too, before the error line."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UsageError as exc:
            if kwargs.get("json_output"):
                file = kwargs.get("file")
                print(json.dumps({"exercise": kwargs.get("exercise"), "file": str(file) if file else None,
                                  "passed": False, "score": 0.0, "checks": [], "error": str(exc)}))
            raise
    return wrapper


@guarded
@_json_on_error
def check_command(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id (default: the current one)."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Grade this file instead of the workspace's."),
    device: str = typer.Option("all", "--device", "-d", help="cpu, cuda, npu, meta or all (CPU, plus CUDA when "
                               "available, plus npu, a stand-in GPU, when there is none)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Reproduce a run: the same seed gives the same cases."),
    json_output: bool = typer.Option(False, "--json", help="Print exactly one JSON object."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every failing check in full."),
    all_exercises: bool = typer.Option(False, "--all", help="Check every exercise file of the workspace, "
                                       "in parallel, and show a table."),
    save_case: Optional[Path] = typer.Option(None, "--save-case", help="Write the first failing case's inputs "
                                             "to a .pt file in this folder, with two lines to load it."),
    record: bool = typer.Option(False, "--record", help="Count a check of a --file that is not the exercise's "
                                "own file in the workspace (a try-out, otherwise not recorded)."),
):
    """Grade an exercise in the sandbox on every device; exit 0 when it passes, 1 when not."""
    from d2lcoach.learner import tutor
    tutor.check_device(device)
    course, workspace = course_and_workspace("optional" if file is not None else "workspace")
    if all_exercises:
        if exercise or file:
            raise UsageError("--all checks the whole workspace; leave out the exercise and --file")
        _check_all(course, workspace, device, seed, json_output)
    sandbox = EARLY.pop() if EARLY else None
    checked = tutor.check(course, workspace, exercise, file, device=device, seed=seed, record=record,
                          sandbox=sandbox, save_case=save_case)
    ex, path, result, recorded, also, saved = (checked.exercise, checked.path, checked.result, checked.recorded,
                                               checked.other_source, checked.saved_case)
    if json_output:
        print(json.dumps({**result.to_json(), **({"saved_case": str(saved.path)} if saved else {}),
                          "recorded": recorded}))
    else:
        out.render_result(result, ex.title, verbose=verbose)
        if also is not None:
            out.console.print(f"graded {escape(path.name)} (saved last); {escape(also.name)} is there too: "
                              f"`d2lcoach check --file {escape(str(also))}` grades it")
        if workspace is not None and not recorded:
            out.console.print(f"not recorded: {escape(str(path))} is not {escape(ex.id)}'s file in the workspace "
                              f"({escape(str(tutor.source_path(workspace, ex)))}); add --record to count it")
        if save_case is not None:
            out.render_saved_case(saved)
        if result.passed:
            following = next((e for e in course.exercises[course.ids.index(ex.id) + 1:]), None)
            if following is not None:
                out.console.print(f"Next: [bold]d2lcoach next[/] ({escape(following.id)})")
    raise typer.Exit(0 if result.passed else 1)


def _check_all(course, workspace, device, seed, json_output):
    from rich.table import Table
    from d2lcoach.learner import tutor
    from d2lcoach.grading.engine import resolve_devices
    from d2lcoach.text import clip
    rows = tutor.check_all(course, workspace, devices=resolve_devices(device), seed=seed)
    all_passed = all(result is not None and result.passed for _, _, result, _ in rows)
    if json_output:
        print(json.dumps({"passed": all_passed, "results": [
            result.to_json() if result is not None else {"exercise": ex.id, "file": str(path), "passed": False,
                                                         "score": 0.0, "checks": [], "error": problem}
            for ex, path, result, problem in rows]}))
        raise typer.Exit(0 if all_passed else 1)
    table = Table(title="every exercise in " + escape(str(workspace.root)))
    for col in ("ch.", "exercise", "verdict", "score", "first failing check", "time"):
        table.add_column(col)
    for ex, path, result, problem in rows:
        if result is None:
            table.add_row(str(ex.chapter.number), ex.id, "[red]unreadable[/]", "0%", escape(problem or ""), "")
            continue
        first = result.error or next((c.label for c in result.failures()), "")
        verdict = "[green]passed[/]" if result.passed else "[red]not yet[/]"
        table.add_row(str(ex.chapter.number), ex.id, verdict, f"{result.score:.0%}", escape(clip(first, 60)),
                      f"{result.seconds:.2f} s")
    out.console.print(table)
    seeds = {r.seed for _, _, r, _ in rows if r is not None}
    out.console.print(f"[dim]seed {', '.join(map(str, seeds))}; `d2lcoach check EXERCISE` shows the details[/]")
    raise typer.Exit(0 if all_passed else 1)


@guarded
def list_command(json_output: bool = typer.Option(False, "--json", help="Print one JSON object.")):
    """Every chapter and exercise with its status, attempts, and overall progress."""
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from d2lcoach.learner import tutor
    from d2lcoach.learner.lifecycle import unrecorded_work
    course, workspace = course_and_workspace()
    rows, passed = tutor.overview(course, workspace)
    unrecorded = unrecorded_work(course, workspace)  # suggested, never graded here
    if json_output:
        print(json.dumps({"passed": passed, "total": len(rows), "exercises": [
            {"id": r.exercise.id, "chapter": r.exercise.chapter.number, "title": r.exercise.title,
             "status": r.status, "attempts": r.attempts, "hints_shown": r.hints, "current": r.current,
             "best_score": r.best_score, "best_file": r.best_file, "note": r.note}
            for r in rows], "unrecorded": [e.id for e in unrecorded]}))
        return
    table = Table(title=escape(course.title), show_lines=False)
    for col in ("ch.", "exercise", "title", "status", "attempts", "hints"):
        table.add_column(col)
    colours = {"passed": "green", "in progress": "yellow", "not started": "dim"}
    for r in rows:
        marker = "> " if r.current else "  "
        table.add_row(str(r.exercise.chapter.number), marker + r.exercise.id, escape(r.exercise.title),
                      f"[{colours.get(r.status, 'white')}]{r.status}[/]" + (f"; {escape(r.note)}" if r.note else ""),
                      str(r.attempts), str(r.hints))
    out.console.print(table)
    bar = ProgressBar(total=len(rows), completed=passed, width=40)
    out.console.print(bar)
    out.console.print(f"{passed} of {len(rows)} exercises passed")
    if unrecorded:
        out.console.print(f"[yellow]There is no progress file, but you have worked on {len(unrecorded)} "
                          f"exercise(s) ({escape(', '.join(e.id for e in unrecorded))}):[/] "
                          "[bold]d2lcoach progress rebuild[/] checks them and records what passes.")


@guarded
def hint_command(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id (default: the current one)."),
    show_all: bool = typer.Option(False, "--all", help="Show every hint at once."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Show the next hint, one more each time you ask (counted in your progress)."""
    from d2lcoach.learner import tutor
    course, workspace = course_and_workspace()
    view = tutor.hint(course, workspace, exercise, show_all)
    if json_output:
        print(json.dumps({"exercise": view.exercise.id, "hints": view.hints, "shown": view.number,
                          "total": view.total}))
        return
    first = view.number - len(view.hints) + 1
    for i, text in enumerate(view.hints, start=first):
        out.console.print(f"[bold]Hint {i} of {view.total}[/] ({escape(view.exercise.id)}): {escape(text)}")
    if view.number >= view.total and not show_all:
        out.console.print("[dim]That was the last hint. Reread D2L " + escape(view.exercise.section) + ": "
                          + escape(view.exercise.link) + "[/]")


@guarded
def reset_command(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id (default: the current one)."),
    all_exercises: bool = typer.Option(False, "--all", help="Reset every exercise in the workspace."),
    restore: bool = typer.Option(False, "--restore", help="Bring back your newest backup instead; the file "
                                 "it replaces is kept as a backup (run it again to swap back)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Restore the stub; your version is kept as a timestamped backup, never deleted."""
    from d2lcoach.learner import tutor
    course, workspace = course_and_workspace()
    if restore:
        if all_exercises:
            raise UsageError("--restore brings back one exercise's backup; leave out --all")
        ex, path, restored, kept = tutor.restore(course, workspace, exercise)
        if json_output:
            print(json.dumps({"restored": {"exercise": ex.id, "file": str(path), "from": str(restored),
                                           "backup": str(kept) if kept else None}}))
            return
        saved = f"; the file it replaced is saved as {kept}" if kept else ""
        out.console.print(f"restored {escape(ex.id)}: {escape(str(path))} from {escape(str(restored))}{escape(saved)}")
        return
    if all_exercises:
        ids = [e.id for e in course.exercises if tutor.source_path(workspace, e).exists()]
    else:
        ids = [tutor.chosen_or_current(course, workspace, exercise).id]
    done = tutor.reset(course, workspace, ids)
    if json_output:
        print(json.dumps({"reset": [{"exercise": ex.id, "file": str(path), "backup": str(backup) if backup else None}
                                    for ex, path, backup in done]}))
        return
    for ex, path, backup in done:
        kept = f"; your version is saved as {backup}" if backup else ""
        out.console.print(f"reset {escape(ex.id)}: {escape(str(path))}{escape(kept)}")


@guarded
def solution_command(
    exercise: str = typer.Argument(..., help="Exercise id."),
    force: bool = typer.Option(False, "--force", help="Show it before passing (recorded in your progress)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Show the reference solution, once you have passed the exercise."""
    from rich.syntax import Syntax
    from d2lcoach.learner import tutor
    course, workspace = course_and_workspace()
    ex, text = tutor.solution(course, workspace, exercise, force)
    if json_output:
        print(json.dumps({"exercise": ex.id, "file": str(ex.solution_path), "solution": text}))
        return
    out.console.print(Syntax(text, "python", theme="ansi_dark", line_numbers=False)
                      if out.console.is_terminal else text, markup=False)


@guarded
def doctor_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
    fast: bool = typer.Option(False, "--fast", help="Skip the device probe, which imports torch (seconds): "
                              "versions as installed, CUDA and devices not probed."),
):
    """Python, torch and torchvision versions, devices, sandbox level, workspace and progress file."""
    from d2lcoach.learner import tutor
    course, workspace = course_and_workspace("optional")
    facts = tutor.doctor(course, workspace, state.located.how, probe_devices=not fast)
    if json_output:
        print(json.dumps(facts))
    else:
        for key, value in facts.items():
            out.console.print(f"[bold]{key:>18}[/]: {escape(str(value))}")
    if facts["progress file"].startswith(tutor.BROKEN):  # a problem was found: say so in the exit status too
        raise typer.Exit(1)
