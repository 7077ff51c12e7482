"""`d2lcoach dev check`: the course author's proof that each grader fails its stub, passes its reference on
every seed, gives its trust suite the expected verdicts and kills the mutants of its reference.

`make_dev_app(guarded, load_course)` returns the `dev` Typer sub-app; cli.py registers it. Exit codes:
0 every grader proved, 1 something to fix (listed under the table), 2 bad input.
"""

from __future__ import annotations

import json
from typing import Callable, List, Optional

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from d2lcoach import console as ui


def _table(report) -> Table:
    table = Table(box=box.ASCII if ui._plain() else box.SIMPLE, header_style="bold",
                  title=f"dev check: {len(report.seeds)} seeds, mutants on seeds "
                        f"{', '.join(map(str, report.mutant_seeds))}")
    for name, justify in (("exercise", "left"), ("stub fails", "left"), ("reference", "left"),
                          ("trust suite", "left"), ("killed", "right"), ("equiv.", "right"),
                          ("survive", "right"), ("time", "right"), ("verdict", "left")):
        table.add_column(name, justify=justify)
    n = len(report.seeds)
    for row in report.exercises:
        if row.problems:
            table.add_row(escape(row.id), "-", "-", "-", "-", "-", "-", f"{row.seconds:.0f} s", "BROKEN")
            continue
        table.add_row(
            escape(row.id),
            "yes" if not row.stub else f"passes on {len(row.stub)}/{n}",
            f"passes {n}/{n}" if not row.reference else f"fails on {len(row.reference)}/{n}",
            f"{len(row.trust) - len(row.trust_flips)}/{len(row.trust)}",
            row.score, str(row.equivalent) if row.mutants_checked else "-",
            str(len(row.survivors)) if row.mutants_checked else "-",
            f"{row.seconds:.0f} s", "ok" if row.ok else "FAIL")
    return table


def _details(report) -> list[str]:
    lines = []
    for row in report.exercises:
        if row.ok:
            continue
        lines.append(f"\n{row.id}:")
        lines += [f"  {p}" for p in row.problems]
        for failure in row.stub:
            lines.append(f"  the stub passes on seed {failure.seed}: {failure.command}")
        for failure in row.reference:
            lines.append(f"  the reference solution {failure.got} on seed {failure.seed}: {failure.command}")
        for trust in row.trust_flips:
            seeds = ", ".join(str(f.seed) for f in trust.failures)
            first = trust.failures[0]
            lines.append(f"  {trust.path} (expect: {trust.expect}) is wrong on seed(s) {seeds}: {first.got}")
            lines.append(f"    reproduce: {first.command}")
        for survivor in row.survivors:
            lines.append(f"  surviving mutant (passes on seed {', '.join(map(str, survivor.seeds))}): {survivor.key}")
            lines += [f"    {line}" for line in survivor.diff.splitlines()[2:]]
        if row.survivors:
            lines.append(f"  kill each one by strengthening the grader, or record it in {row.equivalents_file} "
                         "with a one-line reason")
        for key in row.stale:
            lines.append(f"  stale entry in {row.equivalents_file} (the mutant is killed or gone): {key}")
    return lines


def make_dev_app(guarded: Callable, load_course: Callable) -> typer.Typer:
    """The `dev` sub-app; `guarded` maps errors to exit codes, `load_course` honours --course / the workspace."""
    dev = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                      help="Tools for course authors: prove the graders.")

    @dev.command("check")
    @guarded
    def check(
        exercises: Optional[List[str]] = typer.Argument(None, help="Exercise ids [default: the whole course]."),
        seeds: Optional[int] = typer.Option(None, "--seeds", help="Seeds for the stub, the reference and the trust "
                                            "suite [default: 20; with --stale, the 3 that CI holds records to]."),
        no_mutants: bool = typer.Option(False, "--no-mutants", help="Skip the mutation analysis."),
        jobs: int = typer.Option(2, "--jobs", "-j", help="Warm sandboxed workers grading in parallel."),
        stale: bool = typer.Option(False, "--stale", help="Prove only the exercises whose proof record "
                                   "(graders/<id>.proof.yaml) is missing or no longer matches what it proved."),
        json_output: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
    ):
        """Prove each grader: stub fails, reference passes on every seed, trust suite, mutants killed.
        A green full proof writes the exercise's proof record."""
        from d2lcoach.authoring import dev_check
        from d2lcoach.authoring.check import DEFAULT_SEEDS
        from d2lcoach.authoring.proof import CI_SEEDS
        course = load_course()
        if seeds is None:
            seeds = CI_SEEDS if stale else DEFAULT_SEEDS

        def progress(exercise_id: str):
            if not json_output:
                ui.err_console.print(f"checking {escape(exercise_id)} ...")

        report = dev_check(course, exercises or None, seeds=seeds, mutants=not no_mutants, jobs=jobs,
                           stale_only=stale, record=True, progress=progress)
        if json_output:
            print(json.dumps(report.to_json()))
        else:
            if report.exercises:
                ui.console.print(_table(report))
            if report.fresh:
                ui.console.print(f"fresh proof records, not proved again: {escape(', '.join(report.fresh))}",
                                 soft_wrap=True)
            for line in _details(report):
                ui.console.print(escape(line), soft_wrap=True)
            ui.console.print(f"\n{'ok' if report.ok else 'FAIL'}: {len(report.exercises)} exercise(s) in "
                             f"{report.seconds:.0f} s ({report.isolation} sandbox)")
        raise typer.Exit(0 if report.ok else 1)

    return dev
