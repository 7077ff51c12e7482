"""The `d2lcoach` command: parses arguments, calls the library core, renders through d2lcoach.console.

Exit codes: 0 success (a check that passed), 1 a check that did not pass, 2 bad input from a person
(one line on stderr, never a traceback), 3 the tool itself could not work (e.g. no sandbox).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from d2lcoach import __version__, console as out
from d2lcoach.errors import UsageError

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  help="A tutor for Dive into Deep Learning (PyTorch edition): `next` to get an exercise, "
                       "`check` to grade it.")


class _State:
    workspace: Optional[Path] = None
    course: Optional[Path] = None
    located = None  # how the last command found its workspace (d2lcoach.workspace.Located)


state = _State()


def _version(value: bool):
    if value:
        print(f"d2lcoach {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", help="The learner's folder (default: "
                                             "$D2LCOACH_WORKSPACE, else the workspace that holds the current "
                                             "folder, found upward as git finds .git).", show_default=False),
    course: Optional[Path] = typer.Option(None, "--course", help="A course extension (course.yaml) that "
                                          "adds or overrides exercises; default: the workspace's course.yaml if any.",
                                          show_default=False),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
):
    state.workspace = workspace
    state.course = course


def guarded(fn):
    """Run a command body: UsageError -> one line and exit 2; the tool's own failure -> one line and exit 3."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        out.reset_consoles()
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except UsageError as exc:
            out.error_line(str(exc))
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            out.error_line("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - never show a d2lcoach traceback to a learner
            from d2lcoach.sandbox import SandboxError
            if isinstance(exc, SandboxError):
                out.error_line(f"the sandbox could not run: {exc}")
            else:
                out.error_line(f"d2lcoach failed: {type(exc).__name__}: {exc} "
                               "(please report this; run with D2LCOACH_DEBUG=1 for details)")
                if os.environ.get("D2LCOACH_DEBUG"):
                    raise
            raise typer.Exit(3) from None
    return wrapper


def _context(need: str = "workspace"):
    """The course (built-in, extended by --course or the workspace's course.yaml) and the workspace.

    `need`: "workspace" (none found is a one-line error that says how to make one), "new" (`next`:
    an empty folder becomes the workspace) or "optional" (None when there is none).
    """
    from d2lcoach.course import load_course
    from d2lcoach.workspace import locate_workspace
    state.located = located = locate_workspace(state.workspace)
    workspace = (located.workspace if need == "optional"
                 else located.required(create_in_empty_folder=need == "new"))
    extension = state.course
    if extension is None and workspace is not None and (workspace.root / "course.yaml").exists():
        extension = workspace.root / "course.yaml"
    return load_course(extension=extension), workspace


@app.command("next")
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
    from d2lcoach import tutor
    course, workspace = _context("new")
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


@app.command("check")
@guarded
@_json_on_error
def check_command(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id (default: the current one)."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Grade this file instead of the workspace's."),
    device: str = typer.Option("all", "--device", "-d", help="cpu, cuda, meta or all (CPU, plus CUDA when "
                               "available, plus meta when there is no GPU)."),
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
    from d2lcoach import tutor
    if device.lower() not in ("all", "cpu", "cuda", "meta"):
        raise UsageError(f"unknown device {device!r}; choose one of: all, cpu, cuda, meta")
    course, workspace = _context("optional" if file is not None else "workspace")
    if all_exercises:
        if exercise or file:
            raise UsageError("--all checks the whole workspace; leave out the exercise and --file")
        _check_all(course, workspace, device, seed, json_output)
    ex, path = tutor.resolve_target(course, workspace, exercise, file)
    if record and workspace is None:
        raise UsageError("--record counts the check in a workspace's progress, and there is none here; "
                         "pass --workspace DIR")
    submission = tutor.load_submission(path, ex)
    from d2lcoach.sandbox import Sandbox
    sandbox = _EARLY.pop() if _EARLY else Sandbox(hidden=[workspace.root] if workspace else [])
    with sandbox.start():  # the worker imports torch while we do
        from d2lcoach.grading.engine import grade_source, resolve_devices
        devices = resolve_devices(device)
        if ("cuda" in devices) != sandbox.cuda:
            sandbox.close()
            sandbox.cuda = "cuda" in devices
            sandbox.start()
        result = submission.finish(grade_source(ex, submission.source, str(path), sandbox=sandbox,
                                                devices=devices, seed=seed))
    recorded = tutor.record_check(workspace, ex, result, submission.source, path, force=record)
    also = tutor.other_source(workspace, ex, path) if file is None else None
    saved = None
    if save_case is not None:
        from d2lcoach.grading.savecase import save_failing_case
        saved = save_failing_case(ex, result, save_case, path)
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
    from d2lcoach import tutor
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


@app.command("list")
@guarded
def list_command(json_output: bool = typer.Option(False, "--json", help="Print one JSON object.")):
    """Every chapter and exercise with its status, attempts, and overall progress."""
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from d2lcoach import tutor
    from d2lcoach.lifecycle import unrecorded_work
    course, workspace = _context()
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


@app.command("hint")
@guarded
def hint_command(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id (default: the current one)."),
    show_all: bool = typer.Option(False, "--all", help="Show every hint at once."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Show the next hint, one more each time you ask (counted in your progress)."""
    from d2lcoach import tutor
    course, workspace = _context()
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


@app.command("reset")
@guarded
def reset_command(
    exercise: Optional[str] = typer.Argument(None, help="Exercise id (default: the current one)."),
    all_exercises: bool = typer.Option(False, "--all", help="Reset every exercise in the workspace."),
    restore: bool = typer.Option(False, "--restore", help="Bring back your newest backup instead; the file "
                                 "it replaces is kept as a backup (run it again to swap back)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Restore the stub; your version is kept as a timestamped backup, never deleted."""
    from d2lcoach import tutor
    course, workspace = _context()
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


@app.command("solution")
@guarded
def solution_command(
    exercise: str = typer.Argument(..., help="Exercise id."),
    force: bool = typer.Option(False, "--force", help="Show it before passing (recorded in your progress)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Show the reference solution, once you have passed the exercise."""
    from rich.syntax import Syntax
    from d2lcoach import tutor
    course, workspace = _context()
    ex, text = tutor.solution(course, workspace, exercise, force)
    if json_output:
        print(json.dumps({"exercise": ex.id, "file": str(ex.solution_path), "solution": text}))
        return
    out.console.print(Syntax(text, "python", theme="ansi_dark", line_numbers=False)
                      if out.console.is_terminal else text, markup=False)


@app.command("doctor")
@guarded
def doctor_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
    fast: bool = typer.Option(False, "--fast", help="Skip the device probe, which imports torch (seconds): "
                              "versions as installed, CUDA and devices not probed."),
):
    """Python, torch and torchvision versions, devices, sandbox level, workspace and progress file."""
    from d2lcoach import tutor
    course, workspace = _context("optional")
    facts = tutor.doctor(course, workspace, state.located.how, probe_devices=not fast)
    if json_output:
        print(json.dumps(facts))
    else:
        for key, value in facts.items():
            out.console.print(f"[bold]{key:>18}[/]: {escape(str(value))}")
    if facts["progress file"].startswith(tutor.BROKEN):  # a problem was found: say so in the exit status too
        raise typer.Exit(1)


def _register_commands():
    from d2lcoach.cli_dev import make_dev_app
    from d2lcoach.cli_gradescope import gradescope_app
    from d2lcoach.cli_instructor import grade
    from d2lcoach.cli_watch import watch
    from d2lcoach.cli_workspace import init, progress_app
    app.command("grade")(guarded(grade))
    app.command("watch")(guarded(watch))
    app.command("init")(guarded(init))
    app.add_typer(progress_app(guarded), name="progress")
    app.add_typer(make_dev_app(guarded, lambda: _context("optional")[0]), name="dev")
    for command in gradescope_app.registered_commands:
        command.callback = guarded(command.callback)
    app.add_typer(gradescope_app, name="gradescope")


_register_commands()


_EARLY: list = []


def _start_early(argv: list[str]):
    """`check` spends most of its time importing torch twice (here and in the sandbox): start the
    sandbox's worker before anything else, so the two imports overlap from the first moment."""
    if not _is_single_check(argv):
        return
    from d2lcoach.sandbox import Sandbox
    try:
        _EARLY.append(Sandbox().start())
    except Exception:  # noqa: BLE001 - the command will start (and report on) its own sandbox
        _EARLY.clear()


def _is_single_check(argv: list[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    return "check" in words[:3] and not any(a in argv for a in ("--help", "--all", "--version"))


def _exit_at_once(code) -> None:
    """End a single `check` without Python's finalisation: tearing down torch's modules and
    libraries takes a third of the torch import's time again, after the verdict is printed. Every
    file the check wrote is closed by then and the sandbox is shut down; stdout and stderr are
    flushed here. Exit codes that are not a number (a message) take the ordinary way out."""
    if code is not None and not isinstance(code, int):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)


def main():
    argv = sys.argv[1:]
    _start_early(argv)
    try:
        app(prog_name="d2lcoach")
    except SystemExit as done:
        if not _is_single_check(argv) or "torch" not in sys.modules:
            raise
        code = done.code
    else:
        code = 0
        if not _is_single_check(argv) or "torch" not in sys.modules:
            return
    finally:
        for box in _EARLY:
            box.close()
    _exit_at_once(code)
