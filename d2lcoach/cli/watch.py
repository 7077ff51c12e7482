"""`d2lcoach watch`: the learner's loop, wiring d2lcoach.learner.watch.Watcher to the course, the workspace and
one warm sandbox for the whole session (a re-check then costs tens of milliseconds, not a start-up).

Register with `app.command("watch")(guarded(watch))`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def watch(
    poll: bool = typer.Option(False, "--poll", help="Look for changes every 0.5 s instead of waiting for "
                              "file-system events (for network drives and some containers; watch also "
                              "switches by itself when events do not arrive)."),
    device: str = typer.Option("all", "--device", "-d", help="cpu, cuda, npu, meta or all (CPU, plus CUDA when "
                               "available, plus npu, a stand-in GPU, when there is none)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="The cases' seed (default: one random seed for "
                                       "the whole session, so every save is checked on the same cases)."),
):
    """Re-check the current exercise each time you save it. Keys: n next exercise, h hint, l list,
    v every failing check, r reset (asks first; keeps a backup), c check now, q quit (also cancels a
    running check)."""
    import sys

    from d2lcoach.cli.context import course_and_workspace
    from d2lcoach.grading.engine import new_seed, resolve_devices
    from d2lcoach.sandbox import Sandbox
    from d2lcoach.learner.watch import StreamKeys, TerminalKeys, Watcher

    devices = resolve_devices(device)
    course, workspace = course_and_workspace()
    session = _Session(course, workspace, devices, new_seed() if seed is None else int(seed))
    keys = TerminalKeys(sys.stdin) if sys.stdin.isatty() else StreamKeys(sys.stdin)
    with Sandbox(hidden=[workspace.root], cuda="cuda" in devices, meta="meta" in devices) as sandbox:  # one warm worker
        session.sandbox = sandbox
        watcher = Watcher(session.path, session.check, session.render, keys, on_next=session.next,
                          on_hint=session.hint, on_list=session.list, on_reset=session.reset,
                          on_details=session.details, on_checking=session.checking, cancel=session.cancel,
                          notify=session.notify, poll=poll)
        session.watcher = watcher
        reason = watcher.run()
    from d2lcoach import console as out
    why = {"interrupted": ": interrupted", "cancelled": ": the running check was cancelled"}.get(reason, "")
    out.console.print("stopped watching" + why)


class _Session:
    """The state of one `watch` session and the callbacks the Watcher calls."""

    def __init__(self, course, workspace, devices: list[str], seed: int):
        import sys

        from d2lcoach.learner import tutor
        from d2lcoach.learner.progress import load_progress
        self.course, self.workspace, self.devices, self.seed = course, workspace, devices, seed
        self.sandbox = None
        self.watcher = None
        self.notes: list[str] = []
        self.in_place = sys.stdout.isatty()  # a terminal, even with NO_COLOR: each result replaces the last
        self.cancelled = False
        self._armed = False  # `n` pressed once on an exercise that has not passed
        self._arm_note = ""
        self.exercise = tutor.current_exercise(course, load_progress(workspace.progress_path))
        if not tutor.source_path(workspace, self.exercise).exists():
            tutor.next_task(course, workspace, self.exercise.id)  # install the stub, make it current
        self.intro = tutor.signatures(self.exercise)  # the task, shown above the first result

    def path(self) -> Path:
        from d2lcoach.learner import tutor
        return tutor.source_path(self.workspace, self.exercise)  # its .py file or its notebook

    def check(self):
        from d2lcoach.learner import tutor
        from d2lcoach.grading.engine import grade_source
        if self._armed and self._arm_note in self.notes:  # moving on is no longer pending: drop its note
            self.notes.remove(self._arm_note)
        self._armed = False
        exercise, path = self.exercise, self.path()
        submission = tutor.load_submission(path, exercise)
        result = submission.finish(grade_source(exercise, submission.source, str(path), sandbox=self.sandbox,
                                                devices=self.devices, seed=self.seed))
        if not self.cancelled:  # a check that `q` stopped is no attempt
            tutor.record_check(self.workspace, exercise, result, submission.source, path)
        return result

    def checking(self, path: Path):
        from rich.markup import escape

        from d2lcoach import console as out
        out.console.print(f"[dim]checking {escape(path.name)}…[/]")

    def cancel(self):
        self.cancelled = True
        if self.sandbox is not None:
            self.sandbox.interrupt()

    def render(self, result, verbose: bool = False):
        """One screen: what is watched, the task after `n`, the result, notes and keys. In a terminal it
        replaces the last one and fits the window (the verdict and the first failure stay visible);
        `verbose` (the `v` key) shows every failing check and lets the terminal scroll."""
        import sys

        from rich.markup import escape

        from d2lcoach import console as out
        from d2lcoach.learner.watch import KEY_HELP, POLLING
        from d2lcoach.learner.watch_view import CONTEXT, MUST, USEFUL, classify, fit
        c = out.console
        ex, watcher = self.exercise, self.watcher
        how = "saves are seen through file-system events"
        if watcher is not None and watcher.mode == POLLING:
            how = f"looking for changes every {watcher.poll_interval:g} s: {watcher.mode_reason}"
        with c.capture() as captured:
            c.print(f"[bold]watching[/] {escape(str(self.path()))}  [dim]{escape(how)}[/]")
            c.print(f"[dim]D2L {escape(ex.section)}: {escape(ex.link)}[/]")
            signature, summary = self.intro or ([], "")
            if summary:
                c.print(escape(summary))
            for line in signature:
                c.print("    " + escape(line))
        header = captured.get().splitlines()
        with c.capture() as captured:
            out.render_result(result, ex.title, verbose=verbose, see_all="press v")
        body = captured.get().splitlines()
        with c.capture() as captured:
            if result.passed:
                c.print("[bold green]Well done![/] Press [bold]n[/] for the next exercise, or keep improving "
                        "this one.")
        footer = captured.get().splitlines()
        with c.capture() as captured:
            for note in self.notes if self.in_place else []:  # elsewhere they are still on screen
                c.print(f"[yellow]{escape(note)}[/]")
            c.print(f"[dim]{escape(watcher.key_help if watcher is not None else KEY_HELP)}[/]")
        keys = captured.get().splitlines()  # the notes and the keys: always shown
        self.intro = None
        self.notes.clear()
        task = (MUST, CONTEXT) + (USEFUL,) * len(header)  # the path, the link, the task after `n`
        lines = ([(line, task[i]) for i, line in enumerate(header)]
                 + list(zip(body, classify(body))) + [(line, USEFUL) for line in footer]
                 + [(line, MUST) for line in keys])
        if self.in_place and not verbose:
            sys.stdout.write("\033[H\033[2J")
            texts = fit(lines, c.size.height - 1, c.size.width)
        else:
            sys.stdout.write("-" * 40 + "\n")
            texts = [text for text, _ in lines]
        sys.stdout.write("".join(text + "\n" for text in texts))
        sys.stdout.flush()

    def details(self):
        """The `v` key: the last result again, with every failing check in full."""
        if self.watcher is None or self.watcher.last_result is None:
            self.notify("nothing has been checked yet")
            return
        self.render(self.watcher.last_result, verbose=True)

    def notify(self, message: str):
        from rich.markup import escape

        from d2lcoach import console as out
        out.console.print(f"[yellow]{escape(message)}[/]")
        self.notes.append(message)  # shown again under the next result, which clears the screen

    def next(self):
        from d2lcoach.learner import tutor
        from d2lcoach.learner.progress import PASSED, load_progress
        progress = load_progress(self.workspace.progress_path)
        target = tutor.first_unpassed(self.course, progress)
        if target is None:
            self.notify("You have passed every exercise of the course; `d2lcoach next --exercise ID` "
                        "goes back to any of them.")
            return
        if target.id == self.exercise.id:
            if not self._armed:
                self._armed = True
                self._arm_note = (f"{self.exercise.id} has not passed yet; press n again to move on anyway "
                                  "(prerequisites are advice, never a lock)")
                self.notify(self._arm_note)
                return
            later = self.course.exercises[self.course.ids.index(self.exercise.id) + 1:]
            target = next((e for e in later if getattr(progress.exercises.get(e.id), "status", None)
                           != PASSED), None)
            if target is None:
                self.notify(f"{self.exercise.id} is the last exercise not passed yet")
                return
        self._armed = False
        task = tutor.next_task(self.course, self.workspace, target.id)
        self.exercise = task.exercise
        self.intro = (task.signature, task.summary)  # shown above the new exercise's first result
        kept = "new stub" if task.created else "your file, kept as you left it"
        self.notify(f"next: {task.exercise.id}: {task.exercise.title}; {task.path}, {kept}")

    def hint(self):
        from d2lcoach.cli.learner import hint_command
        try:
            hint_command(exercise=self.exercise.id, show_all=False, json_output=False)
        except typer.Exit:
            pass  # the error line is already printed

    def list(self):
        from d2lcoach.cli.learner import list_command
        try:
            list_command(json_output=False)
        except typer.Exit:
            pass

    def reset(self):
        from d2lcoach.learner import tutor
        for exercise, path, backup in tutor.reset(self.course, self.workspace, [self.exercise.id]):
            kept = f"; your version is saved as {backup}" if backup else " (it was still the stub)"
            self.notify(f"reset {exercise.id}: {path}{kept}")
