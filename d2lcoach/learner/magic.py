"""The IPython extension: `%load_ext d2lcoach`, then `%d2lcoach next`, `%d2lcoach check ID`, `%d2lcoach hint`.

`check` grades the exercise's functions as the kernel now defines them, from their source: the code
of the cells this kernel ran (its `In` history), read statically with the same rules as a notebook
file (the last definition wins). The live objects never cross into the grader; the source goes
through the same sandbox, seed and verdict as `d2lcoach check`. Progress goes to the workspace's
progress file, by default in the notebook's folder. In Jupyter the output is HTML; in terminal
IPython it is plain text.
"""

from __future__ import annotations

import atexit
import io
import shlex
from pathlib import Path

from d2lcoach.errors import UsageError

USAGE = ("usage: %d2lcoach next [EXERCISE] | check [EXERCISE] [--seed N] [--device D] [--verbose] | "
         "hint [EXERCISE] [--all]")

_FLAGS = {"--verbose": "verbose", "-v": "verbose", "--all": "all"}


def _parse(line: str) -> tuple[str, str | None, dict]:
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"{exc}; {USAGE}") from None
    if not words:
        raise UsageError(USAGE)
    command, rest = words[0], words[1:]
    options: dict = {}
    exercise = None
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in ("--seed", "--device"):
            if i + 1 >= len(rest):
                raise UsageError(f"{word} needs a value; {USAGE}")
            options[word[2:]] = rest[i + 1]
            i += 2
            continue
        if word in _FLAGS:
            options[_FLAGS[word]] = True
        elif word.startswith("-") or exercise is not None:
            raise UsageError(f"unexpected {word!r}; {USAGE}")
        else:
            exercise = word
        i += 1
    if command not in ("next", "check", "hint"):
        raise UsageError(f"unknown command {command!r}; {USAGE}")
    if "seed" in options:
        try:
            options["seed"] = int(options["seed"])
        except ValueError:
            raise UsageError(f"--seed takes a whole number, not {options['seed']!r}") from None
    return command, exercise, options


class Coach:
    """The state one kernel keeps: a warm sandbox, reused by every check of the session."""

    def __init__(self, shell, workspace: Path | None = None):
        self.shell = shell
        self.workspace_path = workspace
        self._sandbox = None

    # ------------------------------------------------------------------ plumbing
    def _context(self):
        from d2lcoach.course import load_course
        from d2lcoach.learner.workspace import resolve_workspace
        workspace = resolve_workspace(self.workspace_path)
        extension = workspace.root / "course.yaml"
        return load_course(extension=extension if extension.is_file() else None), workspace

    @property
    def html(self) -> bool:
        return type(self.shell).__name__ == "ZMQInteractiveShell"

    def _show(self, render) -> str:
        """Run `render(console)` into a recording console; show it as HTML in Jupyter, text elsewhere."""
        from rich.console import Console
        from d2lcoach import console as out
        recorder = Console(record=True, file=io.StringIO(), width=100, force_terminal=self.html,
                           no_color=not self.html, highlight=False, emoji=False, soft_wrap=not self.html)
        saved = out.console
        out.console = recorder
        try:
            render(recorder)
        finally:
            out.console = saved
        text = recorder.export_text(clear=False)
        if self.html:
            from IPython.display import HTML, display
            display(HTML(recorder.export_html(inline_styles=True)))
        else:
            print(text, end="")
        return text

    def sandbox(self):
        from d2lcoach.sandbox import Sandbox
        if self._sandbox is None:
            self._sandbox = Sandbox().start()
            atexit.register(self.close)
        return self._sandbox

    def close(self):
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def kernel_cells(self) -> list[str | None]:
        """The code this kernel has run, cell by cell, oldest first (IPython's `In` history)."""
        history = self.shell.user_ns.get("In") or []
        return [cell if isinstance(cell, str) else None for cell in list(history)[1:]]

    # ------------------------------------------------------------------ commands
    def __call__(self, line: str):
        try:
            command, exercise, options = _parse(line)
            return getattr(self, command)(exercise, **options)
        except UsageError as exc:
            print(f"error: {exc}")
            return None

    def next(self, exercise: str | None):
        from d2lcoach.learner import tutor
        course, workspace = self._context()
        task = tutor.next_task(course, workspace, exercise)
        ex = task.exercise

        def render(c):
            from rich.markup import escape
            c.print(f"[bold]Chapter {ex.chapter.number}: {escape(ex.chapter.title)}[/] - D2L {escape(ex.section)}")
            c.print(f"[bold cyan]{escape(ex.id)}[/]: {escape(ex.title)}   ({ex.points:g} points)")
            if task.summary:
                c.print(escape(task.summary))
            for sig in task.signature:
                c.print("    " + escape(sig))
            c.print(f"Read: {escape(ex.link)}")
            c.print(f"The stub is in the next cell: fill it in, run it, then run `%d2lcoach check {ex.id}`.")
        self._show(render)
        self.shell.set_next_input(task.path.read_text(encoding="utf-8"), replace=False)
        return None

    def check(self, exercise: str | None, seed: int | None = None, device: str = "all", verbose: bool = False):
        from d2lcoach import console as out
        from d2lcoach.learner import notebook
        from d2lcoach.learner import tutor
        from d2lcoach.grading.engine import grade_source, resolve_devices
        course, workspace = self._context()
        if exercise:
            ex = course.get(exercise)
        else:
            from d2lcoach.learner.progress import load_progress
            ex = tutor.current_exercise(course, load_progress(workspace.progress_path))
        extracted = notebook.extract(self.kernel_cells(), ex.functions, "this kernel")
        devices = resolve_devices(device)
        box = self.sandbox()
        if ("cuda" in devices) != box.cuda:
            box.close()
            box.cuda = "cuda" in devices
            box.start()
        result = grade_source(ex, extracted.source, f"{ex.id} (kernel)", sandbox=box, devices=devices, seed=seed)
        result = notebook.relabel_result(result, extracted)
        tutor.record_check(workspace, ex, result, extracted.source)
        self._show(lambda c: out.render_result(result, ex.title, verbose=verbose))
        return None

    def hint(self, exercise: str | None, all: bool = False):  # noqa: A002 - the option's name
        from d2lcoach.learner import tutor
        course, workspace = self._context()
        view = tutor.hint(course, workspace, exercise, show_all=all)

        def render(c):
            from rich.markup import escape
            first = view.number - len(view.hints) + 1
            for offset, text in enumerate(view.hints):
                c.print(f"[bold]Hint {first + offset}/{view.total}[/] ({escape(view.exercise.id)}): {escape(text)}")
        self._show(render)
        return None


def load_ipython_extension(shell):
    """Register the `%d2lcoach` line magic on this shell."""
    coach = Coach(shell)
    shell.register_magic_function(coach, magic_kind="line", magic_name="d2lcoach")
    shell.user_ns.setdefault("_d2lcoach", coach)


def unload_ipython_extension(shell):
    coach = shell.user_ns.pop("_d2lcoach", None)
    if coach is not None:
        coach.close()
