"""`d2lcoach init [DIR]` and `d2lcoach progress rebuild`: making a workspace, and recovering its progress.

Registered in d2lcoach.cli.main with `app.command("init")(guarded(init))` and
`app.add_typer(progress_app(guarded), name="progress")`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape


def init(
    folder: Optional[Path] = typer.Argument(None, help="The folder to make a workspace (default: --workspace, "
                                            "$D2LCOACH_WORKSPACE, else the current folder); created if missing.",
                                            show_default=False),
):
    """Make a folder your workspace: it gets the progress file that every command looks for (upward, from
    any folder inside it)."""
    import os

    from d2lcoach import console as out
    from d2lcoach.cli.context import state
    from d2lcoach.learner.lifecycle import init_workspace
    from d2lcoach.learner.workspace import WORKSPACE_ENV
    chosen = folder or state.workspace or os.environ.get(WORKSPACE_ENV) or Path.cwd()
    workspace, created = init_workspace(Path(chosen))
    if created:
        out.console.print(f"workspace created: {escape(str(workspace.root))}")
    else:
        out.console.print(f"{escape(str(workspace.root))} is already a workspace (kept as it is)")
    out.console.print("Start with: [bold]d2lcoach next[/] (from this folder or any folder inside it)")


def rebuild(
    device: str = typer.Option("all", "--device", "-d", help="cpu, cuda, npu, meta or all, as for `check`."),
    seed: Optional[int] = typer.Option(None, "--seed", help="The cases' seed (default: a random one)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Rebuild the progress file by checking every exercise file of the workspace; the old file (broken
    or not) is kept in .d2lcoach-backups. Attempts and hints shown start again from the checks."""
    from d2lcoach import console as out
    from d2lcoach.cli.context import course_and_workspace
    from d2lcoach.errors import UsageError
    from d2lcoach.grading.engine import resolve_devices
    from d2lcoach.learner.lifecycle import rebuild_progress
    if device.lower() not in ("all", "cpu", "cuda", "npu", "meta"):
        raise UsageError(f"unknown device {device!r}; choose one of: all, cpu, cuda, npu, meta")
    course, workspace = course_and_workspace()
    done = rebuild_progress(course, workspace, devices=resolve_devices(device), seed=seed)
    if json_output:
        print(json.dumps({"workspace": str(workspace.root), "backup": str(done.backup) if done.backup else None,
                          "checked": [{"exercise": ex.id, "file": str(path),
                                       "passed": bool(result is not None and result.passed), "error": problem}
                                      for ex, path, result, problem in done.rows],
                          "passed": done.passed, "current": done.current}))
        return
    c = out.console
    if done.backup is not None:
        c.print(f"the old progress file is kept as {escape(str(done.backup))}")
    for ex, path, result, problem in done.rows:
        verdict = ("[green]passed[/]" if result is not None and result.passed
                   else "[yellow]not yet[/]" if result is not None else f"[red]unreadable[/]: {escape(problem or '')}")
        c.print(f"  {escape(ex.id):<22} {verdict}")
    c.print(f"progress rebuilt in {escape(str(workspace.progress_path))}: {len(done.passed)} of "
            f"{len(done.rows)} exercise file(s) pass")
    c.print("Go on with: [bold]d2lcoach next[/]")


def progress_app(guarded) -> typer.Typer:
    """The `progress` command group, its commands wrapped by the CLI's `guarded`."""
    group = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        help="Your progress file: `progress rebuild` recovers it from your exercise files.")
    group.command("rebuild")(guarded(rebuild))
    return group
