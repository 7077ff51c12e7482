"""The `d2lcoach` command: parses arguments, calls the library core, renders through d2lcoach.console.

Exit codes: 0 success (a check that passed), 1 a check that did not pass, 2 bad input from a person
(one line on stderr, never a traceback), 3 the tool itself could not work (e.g. no sandbox).
One module per command group (learner, watch, workspace, instructor, gradescope, dev); this one joins
them into one Typer app and is the entry point.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from d2lcoach import __version__
from d2lcoach.cli import learner
from d2lcoach.cli.context import (EARLY, course_and_workspace, exit_at_once, guarded, is_single_check, start_early,
                                  state)

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  help="A tutor for Dive into Deep Learning (PyTorch edition): `next` to get an exercise, "
                       "`check` to grade it.")


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


LEARNER_COMMANDS = {"next": learner.next_command, "check": learner.check_command, "list": learner.list_command,
                    "hint": learner.hint_command, "reset": learner.reset_command,
                    "solution": learner.solution_command, "doctor": learner.doctor_command}


def _register_commands():
    for name, command in LEARNER_COMMANDS.items():
        app.command(name)(command)
    from d2lcoach.cli.dev import make_dev_app
    from d2lcoach.cli.gradescope import gradescope_app
    from d2lcoach.cli.instructor import grade
    from d2lcoach.cli.watch import watch
    from d2lcoach.cli.workspace import init, progress_app
    app.command("grade")(guarded(grade))
    app.command("watch")(guarded(watch))
    app.command("init")(guarded(init))
    app.add_typer(progress_app(guarded), name="progress")
    app.add_typer(make_dev_app(guarded, lambda: course_and_workspace("optional")[0]), name="dev")
    for command in gradescope_app.registered_commands:
        command.callback = guarded(command.callback)
    app.add_typer(gradescope_app, name="gradescope")


_register_commands()


def main():
    """Run the command line in `sys.argv` (in-process callers, such as tests, come back from here
    by SystemExit or by returning, whatever the command)."""
    argv = sys.argv[1:]
    start_early(argv)
    try:
        app(prog_name="d2lcoach")
    finally:
        for box in EARLY:
            box.close()


def program():
    """The `d2lcoach` program itself (its console script and `python -m d2lcoach`): `main`, and a
    single check then ends the process at once (see `exit_at_once`). Only the program may do that:
    `os._exit` would end an in-process caller too."""
    code = 0
    try:
        main()
    except SystemExit as done:
        code = done.code
    if not is_single_check(sys.argv[1:]) or "torch" not in sys.modules:
        sys.exit(code)  # every other command, and a check refused before torch: the ordinary way out
    exit_at_once(code)  # a single check: the verdict is out, skip torch's teardown
