"""All terminal output lives here: one `console` for results, one `err_console` for errors.

Plain output (no colour, no boxes) when stdout is not a terminal or NO_COLOR is set, so pipes and
tests read stable text. The core never prints; the CLI renders what the core returns.
"""

from __future__ import annotations

import codecs
import os
import re
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich import box

from d2lcoach.grading.scoring import format_points
from d2lcoach.results import DEVICE_NOTES, CheckResult

_COUNT = re.compile(r"\n\(\d+ failing cases; this is the smallest\)$")  # how many cases a device failed


def _plain() -> bool:
    return bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()


def _unwritable(exc: UnicodeError):
    """An encoding error handler: a file name's undecodable bytes (kept as surrogates) go out as they
    came in, and any other character the stream cannot write becomes `?`."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start:exc.end]
    if all("\udc80" <= c <= "\udcff" for c in chunk):
        return bytes(ord(c) - 0xDC00 for c in chunk), exc.end
    return "?" * len(chunk), exc.end


codecs.register_error("d2lcoach-unwritable", _unwritable)


def _tolerant(stream) -> None:
    """Let a stream whose encoding is not UTF-8 (ASCII under LC_ALL=C, cp1252 in an old Windows
    console) write `?` for a character it lacks (the `✗` of a failing check), never fail a command."""
    encoding = getattr(stream, "encoding", None)
    try:
        if not encoding or codecs.lookup(encoding).name == "utf-8" or stream.errors == "d2lcoach-unwritable":
            return
        stream.reconfigure(errors="d2lcoach-unwritable")
    except (AttributeError, LookupError, ValueError, OSError):
        pass  # not a text stream we can reconfigure (a test's buffer): left as it is


def make_console(stderr: bool = False) -> Console:
    _tolerant(sys.stderr if stderr else sys.stdout)
    plain = bool(os.environ.get("NO_COLOR")) or not (sys.stderr if stderr else sys.stdout).isatty()
    return Console(stderr=stderr, no_color=plain, highlight=False, soft_wrap=plain,
                   width=None if not plain else 100, emoji=False,
                   force_terminal=None if not plain else False)


console = make_console()
err_console = make_console(stderr=True)


def reset_consoles():
    """Rebuild the consoles (tests swap stdout; the CLI calls this at the start of each command)."""
    global console, err_console
    console = make_console()
    err_console = make_console(stderr=True)


def error_line(message: str):
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def _cause(message: str) -> str:
    """The exception a failure reports (`raised TypeError: ...`), or "" when it is not an error."""
    first = message.splitlines()[0] if message else ""
    return first.split(" raised ", 1)[1] if " raised " in first else ""


def render_result(result: CheckResult, exercise_title: str = "", verbose: bool = False,
                  see_all: str = "use --verbose"):
    """The table of checks, then the first failures in full, then the verdict line; `see_all` says how
    to see the failures left out (`watch` names its key)."""
    title = f"{result.exercise}: {exercise_title}" if exercise_title else result.exercise
    if result.error:
        console.print(f"[bold red]FAIL[/] {escape(title)} ({escape(result.file)})")
        console.print(f"  {escape(result.error)}")
    table = Table(box=box.SIMPLE if not _plain() else box.ASCII, show_header=True, header_style="bold",
                  title=None if result.error else escape(title))
    table.add_column("check")
    table.add_column("device")
    table.add_column("result")
    for check in result.checks:
        mark = "[green]pass[/]" if check.passed else "[bold red]FAIL[/]"
        table.add_row(escape(check.name), check.device, mark)
    devices = dict.fromkeys(c.device for c in result.checks)
    notes = [f"{d}: {DEVICE_NOTES[d]}" for d in devices if d in DEVICE_NOTES]  # what `npu` is
    table.caption = escape("; ".join(notes)) if notes else None
    if result.checks:
        console.print(table)
    shown = repeated = 0
    seen_messages, seen_hints = set(), set()
    failures = result.failures()
    # Checks that could not run because the call failed say so in the table; show the causes.
    real = [c for c in failures if not c.message.startswith("not checked")]
    # The same exception behind several checks is shown once, naming the other checks it failed.
    by_cause: dict[str, list] = {}
    for check in real or failures:
        by_cause.setdefault(_cause(check.message) or check.message, []).append(check)
    # A check not checked because of an exception is named under that exception, or, when no check
    # shown says it, shown itself: a FAIL in the table always has its cause under it.
    for check in failures:
        cause = _cause(check.message)
        if real and check not in real and cause:
            by_cause.setdefault(cause, []).append(check)
    for checks in by_cause.values():
        check = checks[0]
        cause = _cause(check.message)
        same = _COUNT.sub("", check.message)  # the same failure on a second device is shown once
        if same in seen_messages:
            repeated += 1
            continue
        if shown >= 3 and not verbose:
            continue
        seen_messages.add(same)
        shown += 1
        console.print(f"[bold red]✗ {escape(check.label)}[/]")
        for line in check.message.splitlines():
            if line.startswith("Hint: ") and line in seen_hints:
                line = "Hint: the one above"  # a diagnosis that explains several checks, said once
            seen_hints.add(line)
            console.print("    " + escape(line))
        if cause and len(checks) > 1:
            others = ", ".join(c.label for c in checks[1:])
            console.print(f"    [dim]the same error also fails: {escape(others)}[/]")
    hidden = len(by_cause) - shown - repeated
    if hidden > 0:
        console.print(f"[dim]... and {hidden} more failing check(s); {escape(see_all)} to see them all[/]")
    if result.output.strip():
        console.print("[dim]your code printed:[/]")
        for line in result.output.strip().splitlines()[:20]:
            console.print("    " + escape(line))
    if result.properties and not result.error:
        console.print("[dim]points by property (earned/weight): " + escape(format_points(result.properties)) + "[/]")
    seed = f"seed {result.seed}" if result.seed is not None else ""
    footer = f"[dim]{seed}; sandbox: {result.isolation}; graded in {result.seconds:.2f} s[/]"
    if result.passed:
        console.print(f"[bold green]PASSED[/] {escape(title)}  {footer}")
    else:
        console.print(f"[bold red]NOT YET[/] score {result.score:.0%}  {footer}")
        if result.seed is not None:
            console.print(f"[dim]reproduce this exact run with --seed {result.seed}[/]")


def render_saved_case(saved):
    """Where `check --save-case` wrote the failing case, and the two lines that load it."""
    if saved is None:
        console.print("[dim]--save-case: no failing case to save[/]")
        return
    console.print(f"saved the case of {escape(saved.check)} to {escape(str(saved.path))}; in Python:")
    for line in saved.snippet:
        console.print("    " + escape(line), soft_wrap=True)
