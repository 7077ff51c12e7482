"""What every command of the CLI shares: the global options' state, the error guard, the course and workspace.

It imports no command module, so every command module can import it (and none imports another's
parent): d2lcoach.cli.main joins the commands into one Typer app.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from d2lcoach import console as out
from d2lcoach.errors import UsageError


class _State:
    workspace: Optional[Path] = None
    course: Optional[Path] = None
    located = None  # how the last command found its workspace (d2lcoach.learner.workspace.Located)


state = _State()


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


def course_and_workspace(need: str = "workspace"):
    """The course (built-in, extended by --course or the workspace's course.yaml) and the workspace.

    `need`: "workspace" (none found is a one-line error that says how to make one), "new" (`next`:
    an empty folder becomes the workspace) or "optional" (None when there is none).
    """
    from d2lcoach.course import load_course
    from d2lcoach.learner.workspace import locate_workspace
    state.located = located = locate_workspace(state.workspace)
    workspace = (located.workspace if need == "optional"
                 else located.required(create_in_empty_folder=need == "new"))
    extension = state.course
    if extension is None and workspace is not None and (workspace.root / "course.yaml").exists():
        extension = workspace.root / "course.yaml"
    return load_course(extension=extension), workspace


EARLY: list = []


def start_early(argv: list[str]):
    """`check` spends most of its time importing torch twice (here and in the sandbox): start the
    sandbox's worker before anything else, so the two imports overlap from the first moment."""
    if not is_single_check(argv):
        return
    from d2lcoach.sandbox import Sandbox
    try:
        EARLY.append(Sandbox().start())
    except Exception:  # noqa: BLE001 - the command will start (and report on) its own sandbox
        EARLY.clear()


def is_single_check(argv: list[str]) -> bool:
    """Whether the command line is one `check` (not `check --all`, not a help or version request)."""
    words = [a for a in argv if not a.startswith("-")]
    return "check" in words[:3] and not any(a in argv for a in ("--help", "--all", "--version"))


def exit_at_once(code) -> None:
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
