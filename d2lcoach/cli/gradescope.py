"""`d2lcoach gradescope build` (the autograder bundle) and `gradescope run` (inside Gradescope's container)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from d2lcoach import console as ui

gradescope_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                             help="Gradescope: build the autograder bundle, or grade inside its container.")


@gradescope_app.command("build")
def build(
    output: Path = typer.Option(Path("autograder.zip"), "--output", "-o", help="The bundle to write."),
    exercise: Optional[List[str]] = typer.Option(None, "--exercise", "-e",
                                                 help="Grade only this exercise id (repeat for more)."),
    visibility: str = typer.Option("visible", "--visibility", help="visible, hidden, after_due_date or "
                                   "after_published: when students see the tests."),
):
    """Write autograder.zip for a Gradescope programming assignment (upload it as the autograder)."""
    from d2lcoach.course import load_course
    from d2lcoach.instructor.gradescope import build_bundle
    path = build_bundle(output, load_course(), exercise or None, visibility)
    ui.console.print(f"wrote {escape(str(path))}: upload it as the assignment's autograder "
                     "(Ubuntu base image); students hand in softmax.py, ... or notebooks")


@gradescope_app.command("run")
def run(
    submission: Path = typer.Option(Path("/autograder/submission"), "--submission", help="The student's files."),
    results: Path = typer.Option(Path("/autograder/results/results.json"), "--results",
                                 help="Where Gradescope reads the results."),
    exercise: Optional[List[str]] = typer.Option(None, "--exercise", "-e", help="Exercise ids to grade."),
    visibility: str = typer.Option("visible", "--visibility", help="The tests' visibility."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Reproduce a run."),
):
    """Grade one submission into Gradescope's results.json (run_autograder calls this)."""
    from d2lcoach.course import load_course
    from d2lcoach.instructor.gradescope import run as run_gradescope
    done = run_gradescope(submission, results, load_course(), exercise or None, visibility, seed)
    ui.console.print(f"score {done.results['score']:g}; wrote {escape(str(done.path))}")
