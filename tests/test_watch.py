"""`d2lcoach watch` driven through its loop: edit a file, see it re-checked, press keys, fall back to polling.

Most tests use a fake clock and a fake `check` (fast and deterministic). Real file-system events
(watchfiles, on a background thread) arrive a little later than the write that caused them, so the
tests that use them read them through `SettledEvents`: before each read it writes a marker file
into the watched folder and waits for the marker's event, so every earlier event is in by then (a
folder's events come in order). One test runs the real command with the real engine and the
session's warm sandbox.
"""

from __future__ import annotations

import dataclasses

import io
import itertools
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from d2lcoach.learner import tutor
from d2lcoach.course import BUILTIN_ROOT
from d2lcoach.results import CheckItem, CheckResult
from d2lcoach.learner.watch import (CHANGED, ENDED, EVENTS, KEY_HELP, POLLING, FileEvents, ScriptedKeys, StreamKeys,
                            TerminalKeys, Watcher, fingerprint)
from d2lcoach.learner.workspace import Workspace, read_submission

SOLUTION = (BUILTIN_ROOT / "solutions" / "softmax.py").read_text(encoding="utf-8")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float):
        self.now += max(0.0, seconds)


def events_work(folder: Path) -> bool:
    try:
        events = FileEvents()
        events.watch(folder)
    except OSError:
        return False
    events.close()
    return True


class SettledEvents(FileEvents):
    """The real FileEvents, read only once every event of the test's earlier writes has come: each
    read first creates and removes a marker file in the folder and waits for its event (for the
    watch's end when the folder is gone). Marker events are left out of what it returns."""

    markers = itertools.count()
    WAIT = 30.0  # a guard against hanging, never reached when events work

    def watch(self, folder):
        super().watch(folder)
        self.folder = Path(folder)

    def read(self, timeout: float = 0.0):
        if self.folder.is_dir():
            marker = self.folder / f".settle-{next(self.markers)}"
            marker.write_text("")
            marker.unlink()
            done = lambda kind, name: name == marker.name  # noqa: E731
        else:
            done = lambda kind, name: kind == ENDED  # noqa: E731
        events = []
        while not any(done(*event) for event in events):
            more = super().read(self.WAIT)
            assert more, f"no file-system event within {self.WAIT:g} s"
            events += more
        return [(kind, name) for kind, name in events if not name.startswith(".settle-")]


class Session:
    """A tmp workspace on softmax, a fake check that passes exactly the reference solution, and a Watcher."""

    def __init__(self, course, tmp_path: Path, steps, **options):
        # The scenarios walk softmax then conv2d: a course of those two, in the built-in course's order.
        kept = tuple(e for e in course.exercises if e.id in ("softmax", "conv2d"))
        course = dataclasses.replace(course, exercises=kept,
                                     chapters=tuple(c for c in course.chapters if c in {e.chapter for e in kept}))
        self.course = course
        self.ws = Workspace(tmp_path / "ws")
        self.exercise = tutor.next_task(course, self.ws).exercise
        self.clock = FakeClock()
        self.messages: list[str] = []
        self.verdicts: list[tuple[str, bool]] = []
        self.calls: list[str] = []
        self.keys = ScriptedKeys(steps, sleep=self.clock.sleep)
        options.setdefault("events_factory", SettledEvents)
        self.watcher = Watcher(self.path, self.check, self.render, self.keys, on_next=self.next,
                               on_hint=lambda: self.calls.append("hint"), on_list=lambda: self.calls.append("list"),
                               on_reset=self.reset, notify=self.messages.append, clock=self.clock,
                               sleep=self.clock.sleep, **options)

    def path(self) -> Path:
        return self.ws.exercise_file(self.exercise)

    def file(self, exercise_id: str) -> Path:
        return self.ws.exercise_file(self.course.get(exercise_id))

    def check(self) -> CheckResult:
        source = read_submission(self.path())
        solution = self.exercise.solution_path.read_text(encoding="utf-8")
        result = CheckResult(self.exercise.id, str(self.path()), [CheckItem("values", source == solution, "cpu")])
        tutor.record_check(self.ws, self.exercise, result, source)
        return result

    def render(self, result: CheckResult):
        self.verdicts.append((result.exercise, result.passed))

    def next(self):
        self.calls.append("next")
        self.exercise = tutor.next_task(self.course, self.ws).exercise

    def reset(self):
        self.calls.append("reset")
        tutor.reset(self.course, self.ws, [self.exercise.id])

    def write(self, exercise_id: str, text: str):
        return lambda: self.file(exercise_id).write_text(text, encoding="utf-8")

    def run(self) -> str:
        return self.watcher.run()


needs_events = pytest.mark.skipif(not events_work(Path(__file__).parent),
                                  reason="no file-system events (watchfiles) on this machine")


@needs_events
def test_save_rechecks_and_n_moves_on_only_when_pressed(course, tmp_path):
    s = Session(course, tmp_path, [])
    s.keys.steps = [
        s.write("softmax", SOLUTION), 0.5,  # save the reference solution: re-checked, passes
        1.0, 1.0,  # nothing happens by itself after a pass: no surprise move
        "h", "n", 0.5,  # a hint, then the next exercise: conv2d, checked at once
        s.write("softmax", "# edited after moving on\n"), 0.5,  # the old file is not watched any more
        s.write("conv2d", "import torch\n"), 0.5,  # the new one is
        "q", "never pressed"]
    assert s.run() == "quit"
    assert s.messages == [] and s.watcher.mode == EVENTS
    assert s.verdicts == [("softmax", False), ("softmax", True), ("conv2d", False), ("conv2d", False)]
    assert s.calls == ["hint", "next"]
    assert s.watcher.path == s.file("conv2d") and s.file("conv2d").read_text() == "import torch\n"
    assert s.keys.steps == ["never pressed"]


@needs_events
def test_editors_that_write_twice_give_one_check(course, tmp_path):
    s = Session(course, tmp_path, [])

    def truncate_then_write():
        s.file("softmax").write_text("")  # a close-write event for an empty file
        s.file("softmax").write_text(SOLUTION)  # then the real content

    s.keys.steps = [truncate_then_write, s.write("softmax", SOLUTION + "\n"), 0.05, 1.0, "q"]
    assert s.run() == "quit"
    assert s.watcher.checks == 2 and s.verdicts[-1] == ("softmax", False)  # the last content, checked once


def save_over_a_temporary_file(path: Path, text: str):
    """Write a temporary file beside the file, then rename it onto the file."""
    temp = path.with_suffix(".py.swp")
    temp.write_text(text)
    os.replace(temp, path)


def save_like_vim(path: Path, text: str):
    """vim's default for a file with one link: rename the file to its backup, write a new file, drop the backup."""
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text)
    backup.unlink()


def save_like_jetbrains(path: Path, text: str):
    """JetBrains' "safe write": write a temporary file, move the file aside, rename the temporary file onto it."""
    temp, old = path.with_name(path.name + "___jb_tmp___"), path.with_name(path.name + "___jb_old___")
    temp.write_text(text)
    os.rename(path, old)
    os.rename(temp, path)
    old.unlink()


@needs_events
@pytest.mark.parametrize("save", [save_over_a_temporary_file, save_like_vim, save_like_jetbrains])
def test_editors_that_save_by_renaming_give_one_check(course, tmp_path, save):
    s = Session(course, tmp_path, [])
    s.keys.steps = [lambda: save(s.file("softmax"), SOLUTION), 1.0, 1.0, "q"]
    assert s.run() == "quit"
    assert s.watcher.mode == EVENTS and s.messages == []
    assert s.verdicts == [("softmax", False), ("softmax", True)] and s.watcher.checks == 2


@needs_events
def test_file_events_name_what_changed_and_end_with_the_folder(tmp_path):
    folder = tmp_path / "ch04"
    folder.mkdir()
    threads = lambda: {t for t in threading.enumerate() if t.name == "d2lcoach-watch-events"}  # noqa: E731
    before = threads()
    events = FileEvents()
    events.watch(folder)
    started = threads() - before
    assert len(started) == 1
    events.watch(folder)  # `n` to an exercise of the same chapter: the same watch goes on, no gap
    assert threads() - before == started
    try:
        (folder / "softmax.py").write_text("x")
        seen = []
        while (CHANGED, "softmax.py") not in seen:
            more = events.read(SettledEvents.WAIT)
            assert more, "no event for the write"
            seen += more
        (folder / "softmax.py").unlink()
        folder.rmdir()
        while (ENDED, "ch04") not in seen:
            more = events.read(SettledEvents.WAIT)
            assert more, "no event for the folder's removal"
            seen += more
    finally:
        events.close()
    assert threads() == before  # close() waits for the thread's end
    with pytest.raises(OSError):
        FileEvents().watch(tmp_path / "nowhere")


def test_poll_forces_polling_and_sees_a_change_of_content_alone(course, tmp_path):
    s = Session(course, tmp_path, [], poll=True)
    before = os.stat(s.file("softmax"))
    stub = s.file("softmax").read_text()

    def same_size_same_mtime():  # only the content hash can see this one
        s.file("softmax").write_text(stub.replace("return", "RETURN", 1))
        os.utime(s.file("softmax"), ns=(before.st_atime_ns, before.st_mtime_ns))

    s.keys.steps = [0.2, s.write("softmax", SOLUTION), 1.0, 1.0, same_size_same_mtime, 1.0, 1.0, "q"]
    assert s.run() == "quit"
    assert (s.watcher.mode, s.watcher.mode_reason) == (POLLING, "--poll")
    assert s.verdicts == [("softmax", False), ("softmax", True), ("softmax", False)]
    assert s.messages == []


def too_many_open_files():
    raise OSError(24, "Too many open files")


@pytest.mark.parametrize("factory, why", [
    (too_many_open_files, "[Errno 24] Too many open files"),
    ("no watchfiles", "the watchfiles package is not installed")])
def test_falls_back_to_polling_when_events_are_unavailable(course, tmp_path, monkeypatch, factory, why):
    if factory == "no watchfiles":
        monkeypatch.setitem(sys.modules, "watchfiles", None)  # as if it were not installed
        factory = FileEvents
    s = Session(course, tmp_path, [], events_factory=factory)
    s.keys.steps = [s.write("softmax", SOLUTION), 1.0, 1.0, "q"]
    assert s.run() == "quit"
    assert s.watcher.mode == POLLING
    assert s.messages == [f"file-system events are not available ({why}); "
                          "checking softmax.py for changes every 0.5 s instead"]
    assert s.verdicts == [("softmax", False), ("softmax", True)]


class SilentEvents:
    """File-system events that start but never come (a network drive, a container mount)."""

    closed = False

    def watch(self, folder):
        pass

    def read(self, timeout: float = 0.0):
        return []

    def close(self):
        SilentEvents.closed = True


def test_falls_back_to_polling_when_events_do_not_arrive(course, tmp_path):
    s = Session(course, tmp_path, [], events_factory=SilentEvents)
    s.keys.steps = [1.0, s.write("softmax", SOLUTION), 0.5,  # no event comes for this save
                    1.0,  # the verification (every 2 s) notices the change: polling, and a check
                    s.write("softmax", "# changed again\n"), 1.0, 1.0,  # polling sees the next save
                    "q"]
    assert s.run() == "quit"
    assert SilentEvents.closed and s.watcher.mode == POLLING
    assert s.messages == ["file-system events did not arrive for a change to softmax.py; "
                          "checking softmax.py for changes every 0.5 s instead"]
    assert s.verdicts == [("softmax", False), ("softmax", True), ("softmax", False)]


def test_keys_check_list_reset_and_unknown(course, tmp_path):
    s = Session(course, tmp_path, [], poll=True)
    s.file("softmax").write_text(SOLUTION)
    s.keys.steps = ["c", "L", "x", "\n", "r", "h", 1.0, "r", "y", 1.0, 1.0, 1.0, "q"]
    assert s.run() == "quit"
    # the first check, 'c', and one after the reset: the reset's own write is not checked again
    assert s.verdicts == [("softmax", True), ("softmax", True), ("softmax", False)]
    assert s.calls == ["list", "reset"]  # `r` asks; any other key keeps the file, and does nothing else
    ask = ("reset softmax.py to the stub? your file is kept as a backup; press y to confirm, "
           "any other key keeps it")
    assert s.messages == [f"unknown key 'x'; {KEY_HELP}", ask, "reset cancelled: softmax.py is kept as it is", ask]
    assert s.file("softmax").read_bytes() == s.exercise.stub_path.read_bytes()
    backups = list(s.ws.backups_dir.glob("softmax-*.py"))
    assert len(backups) == 1 and backups[0].read_text() == SOLUTION


@needs_events
def test_a_missing_file_is_a_message_not_a_crash(course, tmp_path):
    s = Session(course, tmp_path, [])
    s.keys.steps = [lambda: s.file("softmax").unlink(), 1.0,  # checked: the file is gone
                    s.write("softmax", SOLUTION), 1.0, "q"]
    assert s.run() == "quit"
    assert len(s.messages) == 1 and s.messages[0].endswith("softmax.py: file not found")
    assert s.verdicts == [("softmax", False), ("softmax", True)]
    assert s.watcher.mode == EVENTS


@needs_events
def test_a_removed_folder_switches_to_polling(course, tmp_path):
    s = Session(course, tmp_path, [])
    folder = s.file("softmax").parent

    def recreate():
        folder.mkdir()
        s.file("softmax").write_text(SOLUTION)

    s.keys.steps = [lambda: shutil.rmtree(folder), 1.0, recreate, 1.0, 1.0, "q"]
    assert s.run() == "quit"
    assert s.watcher.mode == POLLING and len(s.messages) == 2
    assert s.messages[0].startswith(f"the watch on {folder} ended (folder removed or moved?); checking")
    assert s.messages[1].endswith("softmax.py: file not found")
    assert s.verdicts == [("softmax", False), ("softmax", True)]


def test_keys_that_end_or_interrupt_stop_the_loop(course, tmp_path):
    s = Session(course, tmp_path, ["h"])
    assert s.run() == "keys ended" and s.calls == ["hint"]

    def interrupt():
        raise KeyboardInterrupt

    s = Session(course, tmp_path, [interrupt])
    assert s.run() == "interrupted" and s.watcher.checks == 1


def test_terminal_keys_read_single_keys_and_restore_the_terminal():
    termios = pytest.importorskip("termios")
    master, slave = os.openpty()
    try:
        with open(slave, "rb", buffering=0, closefd=False) as stream:
            before = termios.tcgetattr(slave)
            with TerminalKeys(stream) as keys:
                assert not termios.tcgetattr(slave)[3] & termios.ICANON  # no Enter needed
                assert keys.read(0.01) is None
                os.write(master, b"h")
                assert keys.read(1.0) == "h"
                os.write(master, b"\x1b[A")  # an arrow key is ignored whole
                assert keys.read(1.0) is None
                os.write(master, b"nq")
                assert [keys.read(1.0), keys.read(0.0)] == ["n", "q"]
            assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


def test_stream_keys_read_characters_then_keep_quiet():
    slept = []
    keys = StreamKeys(io.StringIO("hq"), sleep=slept.append)
    assert [keys.read(0.1), keys.read(0.1), keys.read(0.1), keys.read(0.1)] == ["h", "q", None, None]
    assert keys.ended and slept == [0.1]


def test_stream_keys_from_a_pipe_are_not_hidden_by_buffering():
    read_end, write_end = os.pipe()
    with open(read_end, "r", closefd=True) as stream:
        keys = StreamKeys(stream, sleep=lambda seconds: None)
        assert keys.read(0.0) is None
        os.write(write_end, b"hnq")
        os.close(write_end)
        assert [keys.read(1.0) for _ in range(4)] == ["h", "n", "q", None] and keys.ended


def test_fingerprint_sees_content_size_and_time(tmp_path):
    path = tmp_path / "f.py"
    assert fingerprint(path) is None
    path.write_text("a")
    first = fingerprint(path)
    path.write_text("b")
    os.utime(path, ns=(first[0], first[0]))
    assert fingerprint(path) != first and fingerprint(path)[:2] == first[:2]


def test_watch_command_with_the_real_engine(course, sandbox, tmp_path, monkeypatch):
    """The command as the CLI registers it: real grading in the shared warm sandbox, keys scripted."""
    import d2lcoach.sandbox
    import d2lcoach.learner.watch
    from d2lcoach.cli import context as cli
    from d2lcoach.cli.context import guarded
    from d2lcoach.cli.watch import watch

    ws = tmp_path / "ws"
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(cli.state, "workspace", ws)
    monkeypatch.setattr(cli.state, "course", None)

    class SharedSandbox:  # the session's warm worker instead of a new one (a few seconds saved)
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return sandbox

        def __exit__(self, *exc):
            return None

    steps = [lambda: shutil.copy(BUILTIN_ROOT / "solutions" / "linear_regression.py", ws / "ch03-linear-regression"
                                 / "linear_regression.py"), 1.0, 1.0, "h", "n", "q"]
    monkeypatch.setattr(d2lcoach.sandbox, "Sandbox", SharedSandbox)
    monkeypatch.setattr(d2lcoach.learner.watch, "StreamKeys", lambda stream: ScriptedKeys(steps))
    app = typer.Typer()
    app.command("watch")(guarded(watch))
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["watch", "--device", "cpu", "--seed", "7"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("NOT YET") == 2 and out.count("PASSED linear_regression") == 1, out
    assert (out.index("NotImplementedError") < out.index("PASSED linear_regression")
            < out.index("Hint 1 of 4 (linear_regression)"))
    assert "next: softmax" in out and f"watching {ws / 'ch04-linear-classification' / 'softmax.py'}" in out
    assert out.rstrip().endswith("stopped watching") and KEY_HELP in out
    progress = (ws / "d2lcoach-progress.yaml").read_text()
    assert "current: softmax" in progress and "status: passed" in progress
