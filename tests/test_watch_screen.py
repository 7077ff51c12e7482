"""`watch` fixes: "checking…" at once, `q` cancels a running check, no stale note after a pass, `v`
shows every failure, the task's signature after `n`, and a screen that fits a 24-row terminal.

The screen tests drive the CLI's watch session with made-up results (no sandbox needed)."""

from __future__ import annotations

import dataclasses

import threading

import pytest
from rich.text import Text

from d2lcoach import console as out
from d2lcoach.learner import tutor
from d2lcoach.cli.watch import _Session
from d2lcoach.results import CheckItem, CheckResult
from d2lcoach.learner.watch import ScriptedKeys, Watcher
from d2lcoach.learner.watch_view import CONTEXT, MUST, fit
from d2lcoach.learner.workspace import Workspace

from tests.test_watch import SOLUTION, FakeClock, Session


def many_failures(exercise: str, file: str, n: int = 14) -> CheckResult:
    checks = [CheckItem("imports", True, "-", "only allowed imports")]
    checks += [CheckItem(f"property {i}", i % 3 == 0, "cpu",
                         f"raised ValueError: wrong thing number {i}\n    expected: 1.0\n    got: {i}.0")
               for i in range(n)]
    checks += [CheckItem(f"property {i}", True, "meta") for i in range(n)]
    return CheckResult(exercise, file, checks, seed=5, isolation="namespaces", seconds=0.2)


def passing(exercise: str, file: str) -> CheckResult:
    return CheckResult(exercise, file, [CheckItem("values", True, "cpu")], seed=5, isolation="namespaces")


@pytest.fixture
def course(course):
    """The scenarios walk softmax then conv2d: a course of those two, in the built-in course's order."""
    kept = tuple(e for e in course.exercises if e.id in ("softmax", "conv2d"))
    return dataclasses.replace(course, exercises=kept,
                               chapters=tuple(c for c in course.chapters if c in {e.chapter for e in kept}))


@pytest.fixture
def screen(course, tmp_path, monkeypatch, capsys):
    """A watch session on a fresh workspace, rendering to a captured 24-row, 100-column console."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("LINES", "24")
    out.reset_consoles()
    ws = Workspace(tmp_path / "ws")
    tutor.next_task(course, ws)
    session = _Session(course, ws, ["cpu"], seed=5)
    session.in_place = True  # as in a terminal: each result replaces the last
    session.watcher = Watcher(session.path, session.check, session.render)
    capsys.readouterr()

    def shown() -> list[str]:
        text = capsys.readouterr().out
        return [Text.from_ansi(line).plain for line in text.split("\033[H\033[2J")[-1].splitlines()]

    session.shown = shown
    return session


def test_a_long_result_fits_24_rows_with_the_verdict_and_the_first_failure(screen):
    result = many_failures("softmax", str(screen.path()))
    screen.render(result)
    lines = screen.shown()
    rows = sum(max(1, -(-len(line) // 100)) for line in lines)
    assert rows <= 23, "\n".join(lines)
    assert any(line.startswith("NOT YET") for line in lines)
    assert any(line.startswith("✗ property 1 ") for line in lines) and "raised ValueError: wrong thing number 1" in \
        "\n".join(lines)
    assert any("hidden to fit the terminal" in line for line in lines)
    assert lines[0].startswith("watching ") and lines[-1].startswith("keys: ")


def test_v_shows_every_failing_check(screen):
    result = many_failures("softmax", str(screen.path()))
    screen.watcher.last_result = result
    screen.details()
    text = "\n".join(screen.shown())
    failing = [c.name for c in result.failures()]
    assert all(f"✗ {name} " in text for name in failing), text
    assert "use --verbose" not in text and "hidden to fit" not in text


def test_no_stale_has_not_passed_yet_after_a_pass(screen, monkeypatch):
    import d2lcoach.grading.engine as engine
    screen.next()  # softmax has not passed: `n` asks to press again
    assert any("has not passed yet" in note for note in screen.notes)
    monkeypatch.setattr(engine, "grade_source", lambda exercise, source, filename, **kw: passing(exercise.id, filename))
    screen.path().write_text(SOLUTION)
    screen.render(screen.check())
    text = "\n".join(screen.shown())
    assert "PASSED softmax" in text and "has not passed yet" not in text


def test_after_n_the_new_task_shows_its_signature_and_summary(screen):
    screen.render(passing("softmax", str(screen.path())))  # the first screen shows softmax's task
    assert "def softmax(" in "\n".join(screen.shown())
    screen.next()
    screen.next()  # pressed twice: move on without passing
    assert screen.exercise.id == "conv2d"
    screen.render(many_failures("conv2d", str(screen.path())))
    text = "\n".join(screen.shown())
    signature, summary = tutor.signatures(screen.exercise)
    assert signature[0].splitlines()[0] in text and summary.splitlines()[0] in text
    assert "next: conv2d" in text
    screen.render(many_failures("conv2d", str(screen.path())))  # once: later screens keep the room
    assert signature[0].splitlines()[0] not in "\n".join(screen.shown())


def test_checking_is_shown_before_the_check_runs(course, tmp_path):
    s = Session(course, tmp_path, [], poll=True)
    s.watcher.on_checking = lambda path: s.verdicts.append(("checking", path.name))
    s.keys.steps = [s.write("softmax", SOLUTION), 1.0, 1.0, "q"]
    assert s.run() == "quit"
    assert s.verdicts == [("checking", "softmax.py"), ("softmax", False), ("checking", "softmax.py"),
                          ("softmax", True)]


def test_q_cancels_a_running_check(course, tmp_path):
    s = Session(course, tmp_path, [])
    stop = threading.Event()
    cancelled = []

    def endless_check():  # a learner's endless loop: runs until the sandbox is killed
        stop.wait(timeout=60)
        return passing("softmax", str(s.path()))

    def cancel():
        cancelled.append(True)
        stop.set()

    s.watcher.check, s.watcher.cancel = endless_check, cancel
    s.keys = s.watcher.keys = ScriptedKeys(["never read"], sleep=FakeClock().sleep, during_check=["h", "q"])
    assert s.run() == "cancelled"
    assert cancelled == [True] and s.verdicts == [] and s.watcher.checks == 0
    assert s.keys.pressed == ["h", "q"] and s.keys.steps == ["never read"]


def test_fit_keeps_must_lines_and_order():
    lines = [("watching", MUST)] + [(f"row {i}", CONTEXT) for i in range(30)] + [("NOT YET", MUST), ("keys", MUST)]
    shown = fit(lines, 10, 80)
    assert shown[0] == "watching" and shown[-2:] == ["NOT YET", "keys"] and len(shown) == 10
    assert [line for line in shown if line.startswith("row")] == [f"row {i}" for i in range(6)]
    assert fit(lines[:3], 10, 80) == ["watching", "row 0", "row 1"]


@pytest.mark.slow
def test_q_stops_an_endless_loop_in_the_real_sandbox(course, tmp_path, monkeypatch):
    """The watch session's cancel kills the sandbox's worker: the endless check ends, and is no attempt."""
    from d2lcoach.learner.progress import load_progress
    from d2lcoach.sandbox import Sandbox
    monkeypatch.setenv("NO_COLOR", "1")
    ws = Workspace(tmp_path / "ws")
    tutor.next_task(course, ws)
    ws.exercise_file(course.get("softmax")).write_text("def softmax(X, dim=-1):\n    while True:\n        pass\n")
    session = _Session(course, ws, ["cpu"], seed=5)
    keys = ScriptedKeys([], during_check=["x"] * 50 + ["q"])
    with Sandbox() as sandbox:
        sandbox.wait_ready()
        session.sandbox = sandbox
        watcher = Watcher(session.path, session.check, session.render, keys, cancel=session.cancel)
        assert watcher.run() == "cancelled"
        assert sandbox._proc is None or sandbox._proc.poll() is not None  # the worker and the loop were killed
        assert not watcher._running.is_alive()
    assert load_progress(ws.progress_path).exercises["softmax"].attempts == 0



def test_the_reset_question_takes_only_its_answer_and_the_help_line_names_those_keys(screen, monkeypatch):
    """Issue 24: at the reset question, `n` cancelled the reset and then also moved on; the help line
    under a result kept listing every key; hidden failures said "use --verbose" where the key is `v`."""
    import d2lcoach.grading.engine as engine
    from d2lcoach.learner.watch import CONFIRM_HELP, KEY_HELP
    monkeypatch.setattr(engine, "grade_source",
                        lambda exercise, source, filename, **kw: many_failures(exercise.id, filename))
    screen.path().write_text("# my work\n")
    asking, after = [], []

    def rerender(into):  # a save checked now: the screen is drawn again
        return lambda: (screen.render(screen.watcher.last_result), into.extend(screen.shown()))

    clock = FakeClock()
    keys = ScriptedKeys(["r", rerender(asking), "n", rerender(after)], sleep=clock.sleep)
    screen.watcher = Watcher(screen.path, screen.check, screen.render, keys, on_next=screen.next,
                             on_reset=screen.reset, notify=screen.notify, poll=True, clock=clock,
                             sleep=clock.sleep)
    assert screen.watcher.run() == "keys ended"
    assert any("press y to confirm, any other key keeps it" in line for line in asking), asking
    assert asking[-1] == CONFIRM_HELP and "n next" not in asking[-1]
    assert any(line == "reset cancelled: softmax.py is kept as it is" for line in after), after
    assert screen.exercise.id == "softmax" and not any("has not passed yet" in line for line in after)
    assert screen.path().read_text() == "# my work\n" and not screen.workspace.backups_dir.exists()
    assert after[-1] == KEY_HELP
    assert any(line.endswith("more failing check(s); press v to see them all") for line in after), after
