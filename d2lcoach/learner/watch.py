"""The core of `d2lcoach watch`: re-check the current exercise on every save, act on single key presses.

Nothing here prints: results go to a `render` callback and messages to `notify`, and everything
that touches the outside (the clock, sleeping, key presses, file-system events) can be replaced in
tests. File changes are seen through `watchfiles` (inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows), on the file's folder, so editors that save by renaming a
temporary file are seen too; where watchfiles is missing, or its events do not arrive (network
drives, some container mounts), the watcher switches to polling by itself (`--poll` forces it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import select
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from d2lcoach.errors import UsageError
from d2lcoach.results import CheckResult

#: The keys watch mode understands, and what each one does.
KEYS = {"n": "next", "h": "hint", "l": "list", "v": "details", "r": "reset", "c": "check", "q": "quit"}
#: The help line that the CLI shows under each result (short enough for an 80-column terminal).
KEY_HELP = "keys: n next | h hint | l list | v every failure | r reset | c check | q quit"
#: The keys that confirm a reset once `r` has asked.
CONFIRM_KEYS = ("y", "r")
#: The help line while `r` waits for its answer: then no key has its usual meaning.
CONFIRM_HELP = "keys: y reset to the stub (your file is kept as a backup) | any other key keeps your file"

#: How the watcher sees saves: file-system events, or looking at the file again and again.
EVENTS = "events"
POLLING = "polling"

#: What `FileEvents.read` reports: a name in the folder was added, changed or removed (a save, a
#: rename onto it, a delete), or the watch itself ended (the folder was removed or moved).
CHANGED = "changed"
ENDED = "ended"
_MAX_READ = 2 * 1024 * 1024
#: How long `FileEvents.watch` waits for the watch to be in place before it gives up.
_START_SECONDS = 10.0


def fingerprint(path: Path) -> tuple[int, int, str] | None:
    """(mtime in ns, size, sha256 of the content) of a file, or None when it cannot be read."""
    try:
        info = os.stat(path)
        with open(path, "rb") as handle:
            data = handle.read(_MAX_READ)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, hashlib.sha256(data).hexdigest()


class FileEvents:
    """File-system events for one folder at a time (not its subfolders), through `watchfiles` on a
    background thread. Raises OSError where events are unavailable (watchfiles not installed, the
    folder missing, the system's watch limit reached)."""

    def __init__(self):
        try:
            import watchfiles
        except ImportError:
            raise OSError("the watchfiles package is not installed") from None
        self._watchfiles = watchfiles
        self._queue: queue.Queue = queue.Queue()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._folder: Path | None = None

    def watch(self, folder: Path):
        """Watch `folder` (and stop watching the one before); returns once the watch is in place.
        The folder watched already goes on being watched, without a gap."""
        folder = Path(folder).absolute()
        if folder == self._folder and self._thread is not None and self._thread.is_alive():
            return
        self.close()
        events: queue.Queue = queue.Queue()
        stop, ready, failed = threading.Event(), threading.Event(), []
        thread = threading.Thread(target=self._run, args=(folder, events, stop, ready, failed),
                                  name="d2lcoach-watch-events", daemon=True)
        thread.start()
        if not ready.wait(_START_SECONDS):
            stop.set()
            raise OSError(f"watching {folder} did not start within {_START_SECONDS:g} s")
        if failed:
            raise failed[0]
        self._queue, self._stop, self._thread, self._folder = events, stop, thread, folder

    def _run(self, folder: Path, events: queue.Queue, stop: threading.Event, ready: threading.Event,
             failed: list):
        """The background thread: each batch of changes into `events`, until `stop`. An error before
        the watch is in place goes to `failed`, one after it to `events`."""
        try:
            # yield_on_timeout: the first batch, empty, comes once the watch is in place.
            batches = self._watchfiles.watch(folder, watch_filter=None, stop_event=stop, rust_timeout=100,
                                             yield_on_timeout=True, recursive=False, raise_interrupt=False)
            for changes in batches:
                ready.set()
                # One queue item per batch: a reader never takes half of a batch (its order is a set's).
                batch = [(ENDED if path in (folder, folder.resolve()) else CHANGED, path.name)
                         for path in (Path(name) for _change, name in changes)]
                if batch:
                    events.put(batch)
        except Exception as exc:  # noqa: BLE001 - handed over: the watcher falls back to polling
            error = exc if isinstance(exc, OSError) else OSError(f"{type(exc).__name__}: {exc}")
            (events.put if ready.is_set() else failed.append)(error)
        finally:
            ready.set()

    def read(self, timeout: float = 0.0) -> list[tuple[str, str]]:
        """The events waiting now, as (CHANGED or ENDED, name in the folder); with `timeout`, waits
        up to that long for the first one. Raises OSError when the watch failed."""
        batches = []
        with contextlib.suppress(queue.Empty):
            batches.append(self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait())
            while True:
                batches.append(self._queue.get_nowait())
        events = []
        for batch in batches:
            if isinstance(batch, OSError):
                raise batch
            events += batch
        return events

    def close(self):
        stop, thread, self._stop, self._thread, self._folder = self._stop, self._thread, None, None, None
        if stop is not None:
            stop.set()
        if thread is not None:
            thread.join(timeout=_START_SECONDS)  # watchfiles looks at `stop` every 50 ms


class _Cancelled(Exception):
    """`q` stopped a running check."""


class KeySource(Protocol):
    """Where key presses come from. `read` waits up to `timeout` seconds and returns one key, None
    when none came, or "" when no key can ever come (scripted input that ran out). Used as a
    context manager around the whole session (a terminal is put in cbreak mode and restored)."""

    def __enter__(self): ...

    def __exit__(self, *exc): ...

    def read(self, timeout: float) -> str | None: ...

    def read_during_check(self, timeout: float) -> bool:
        """While a check runs: wait up to `timeout` for a key; True when it is `q` (cancel the check).
        Any other key is kept, and `read` returns it once the check is over."""


class _DeferringKeys:
    """`read_during_check` for key sources that read real keys: `q` cancels, the rest waits its turn."""

    _pending: list[str]

    def read(self, timeout: float) -> str | None:  # pragma: no cover - defined by the subclasses
        raise NotImplementedError

    def read_during_check(self, timeout: float) -> bool:
        key = self.read(timeout)
        if key and key.lower() == "q":
            return True
        if key:
            self._pending.insert(0, key)
        return False


class TerminalKeys(_DeferringKeys):
    """Single key presses from a terminal, without Enter: cbreak mode for the session, restored on exit."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stdin
        self._saved = None
        self._pending: list[str] = []

    def __enter__(self) -> "TerminalKeys":
        import termios
        import tty
        fd = self.stream.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd, termios.TCSANOW)
        return self

    def __exit__(self, *exc):
        import termios
        if self._saved is not None:
            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout: float) -> str | None:
        if self._pending:
            return self._pending.pop(0)
        fd = self.stream.fileno()
        ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        data = os.read(fd, 64)
        if not data:
            return ""
        text = data.decode("utf-8", errors="ignore")
        if text.startswith("\x1b"):  # an arrow or function key: an escape sequence, ignored whole
            return None
        self._pending = list(text[1:])
        return text[:1] or None


class StreamKeys(_DeferringKeys):
    """Keys from a stream that is not a terminal (a pipe, an IDE's console): one character at a time.

    When the stream ends, keys are off and watching goes on (stop it with Ctrl-C).
    """

    def __init__(self, stream=None, sleep: Callable[[float], None] = time.sleep):
        self.stream = stream if stream is not None else sys.stdin
        self.sleep = sleep
        self.ended = False
        self._pending: list[str] = []

    def __enter__(self) -> "StreamKeys":
        return self

    def __exit__(self, *exc):
        return None

    def read(self, timeout: float) -> str | None:
        if self._pending:
            return self._pending.pop(0)
        if self.ended:
            self.sleep(timeout)
            return None
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is None:  # an in-memory stream: reading never blocks for long
            text = self.stream.read(1)
        else:  # read the descriptor itself: a buffered stream would hide keys from select()
            ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
            if not ready:
                return None
            text = os.read(fd, 64).decode("utf-8", errors="ignore")
        if not text:
            self.ended = True
            return None
        self._pending = list(text[1:])
        return text[0]


class ScriptedKeys:
    """Key presses from a script, for tests. Each step is one of:

    - a string: its characters are pressed one after the other;
    - None: no key for one wait of the watcher (the time passes through `sleep`);
    - a number: no key, and that many seconds pass;
    - a callable: called (edit a file, say), then one wait passes.

    When the script runs out, `read` returns "" and the watcher stops. `during_check` are the keys
    pressed while a check runs in the background (one per wait; only `q` has an effect).
    """

    def __init__(self, steps: Iterable, sleep: Callable[[float], None] = time.sleep,
                 during_check: Iterable[str] = ()):
        self.steps = list(steps)
        self.sleep = sleep
        self.during_check = list(during_check)
        self.pressed: list[str] = []

    def read_during_check(self, timeout: float) -> bool:
        if self.during_check:
            key = self.during_check.pop(0)
            self.pressed.append(key)
            return key.lower() == "q"
        self.sleep(timeout)
        return False

    def __enter__(self) -> "ScriptedKeys":
        return self

    def __exit__(self, *exc):
        return None

    def read(self, timeout: float) -> str | None:
        if not self.steps:
            return ""
        step = self.steps.pop(0)
        if isinstance(step, str):
            if len(step) > 1:
                self.steps[:0] = list(step[1:])
            key = step[:1]
            self.pressed.append(key)
            return key or None
        if isinstance(step, (int, float)) and not isinstance(step, bool):
            self.sleep(float(step))
            return None
        if callable(step):
            step()
        self.sleep(timeout)
        return None


class Watcher:
    """Re-checks the file that `path_provider()` names whenever it is saved, and acts on keys.

    `check()` grades the current exercise and returns a CheckResult (a UsageError it raises, such
    as a missing file, becomes a message); `render(result)` shows it. Keys (see KEYS): `n` calls
    `on_next` (which makes another exercise current; the watcher then asks `path_provider` again
    and watches the new file), `h` `on_hint`, `l` `on_list`, `v` `on_details` (every failing check),
    `r` asks first, then `on_reset` once confirmed with `y` (then a check), `c` checks now, `q` quits.
    `on_checking(path)` is told when a check starts, before its result. With `cancel`, checks run in
    a background thread while keys are read: `q` then calls `cancel()` (which must make `check()`
    return soon) and quits. Saves are debounced: events closer than `debounce` seconds give one
    check. With `poll=True`, or when file-system events are unavailable or do not arrive (checked
    every `verify_interval` seconds; a change with no event yet waits up to `settle` seconds for
    one), the file is polled every `poll_interval` seconds instead.
    """

    def __init__(self, path_provider: Callable[[], Path], check: Callable[[], CheckResult],
                 render: Callable[[CheckResult], None], keys: KeySource | None = None, *,
                 on_next: Callable[[], None] | None = None, on_hint: Callable[[], None] | None = None,
                 on_list: Callable[[], None] | None = None, on_reset: Callable[[], None] | None = None,
                 on_details: Callable[[], None] | None = None,
                 on_checking: Callable[[Path], None] | None = None, cancel: Callable[[], None] | None = None,
                 notify: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 poll: bool = False, poll_interval: float = 0.5, debounce: float = 0.2,
                 verify_interval: float = 2.0, settle: float = 1.0, tick: float = 0.1,
                 events_factory: Callable[[], FileEvents] = FileEvents):
        self.path_provider = path_provider
        self.check = check
        self.render = render
        self.keys = keys
        self.actions = {"next": on_next, "hint": on_hint, "list": on_list, "reset": on_reset,
                        "details": on_details}
        self.on_checking = on_checking
        self.cancel = cancel
        self.notify = notify or (lambda message: None)
        self.clock = clock
        self.sleep = sleep
        self.force_poll = poll
        self.poll_interval = poll_interval
        self.debounce = debounce
        self.verify_interval = verify_interval
        self.settle = settle
        self.tick = tick
        self.events_factory = events_factory
        #: The file being watched, how (EVENTS or POLLING) and why polling when it is.
        self.path: Path | None = None
        self.mode: str | None = None
        self.mode_reason = ""
        #: How many checks ran, and the last result.
        self.checks = 0
        self.last_result: CheckResult | None = None
        self._events: FileEvents | None = None
        self._due: float | None = None  # when a debounced check is due
        self._known = None  # the file's fingerprint when it was last checked
        self._seen = None  # polling: the fingerprint at the last poll
        self._verified = None  # events: the fingerprint at the last verification
        self._evidence = False  # events: an event for the file since the last verification
        self._next_poll = 0.0
        self._next_verify = 0.0
        self._confirming = False  # `r` asked for a confirmation; the next key answers
        self._running: threading.Thread | None = None  # a check in the background

    # ------------------------------------------------------------------ the loop

    def run(self) -> str:
        """Watch until `q` (returns "quit"; "cancelled" when it stopped a running check), Ctrl-C
        ("interrupted") or scripted keys run out ("keys ended")."""
        keys = self.keys if self.keys is not None else contextlib.nullcontext()
        try:
            with keys:
                self._start_watching()
                self._check()
                while True:
                    timeout = self._timeout()
                    if self.keys is None:
                        self.sleep(timeout)
                        key = None
                    else:
                        key = self.keys.read(timeout)
                    if key == "":
                        return "keys ended"
                    if key and self._press(key) == "quit":
                        return "quit"
                    self._look()
                    if self._due is not None and self.clock() >= self._due:
                        self._due = None
                        if fingerprint(self.path) != self._known:
                            self._check()
        except _Cancelled:
            return "cancelled"
        except KeyboardInterrupt:
            return "interrupted"
        finally:
            if self._running is not None and self._running.is_alive() and self.cancel is not None:
                self.cancel()  # Ctrl-C during a background check: stop it too
            self._close_events()

    def _timeout(self) -> float:
        now = self.clock()
        waits = [self.tick]
        if self._due is not None:
            waits.append(self._due - now)
        if self.mode == POLLING:
            waits.append(self._next_poll - now)
        return max(0.0, min(waits))

    @property
    def key_help(self) -> str:
        """The help line for now: the keys that work while a question waits, else every key."""
        return CONFIRM_HELP if self._confirming else KEY_HELP

    def _press(self, key: str) -> str | None:
        if self._confirming:  # a yes/no question: the answer, and nothing else
            self._confirming = False
            if key.lower() in CONFIRM_KEYS:
                return self._act("reset", key)
            self.notify(f"reset cancelled: {self.path.name if self.path else 'your file'} is kept as it is")
            return None
        action = KEYS.get(key.lower())
        if action is None:
            if key.strip():
                self.notify(f"unknown key {key!r}; {KEY_HELP}")
            return None
        if action == "quit":
            return "quit"
        if action == "check":
            self._check()
            return None
        if action == "reset" and self.actions["reset"] is not None:
            self._confirming = True
            self.notify(f"reset {self.path.name if self.path else 'this exercise'} to the stub? your file is "
                        "kept as a backup; press y to confirm, any other key keeps it")
            return None
        return self._act(action, key)

    def _act(self, action: str, key: str) -> str | None:
        callback = self.actions[action]
        if callback is None:
            self.notify(f"'{key}' ({action}) is not available here")
            return None
        try:
            callback()
        except UsageError as exc:
            self.notify(str(exc))
            return None
        if action in ("next", "reset"):
            moved = self._retarget()
            if moved or action == "reset":
                self._check()
        return None

    def _check(self):
        self._due = None
        self._known = fingerprint(self.path)  # before check() reads the file: a later save differs
        if self.on_checking is not None:
            self.on_checking(self.path)
        try:
            result = self._run_check()
        except UsageError as exc:
            self.notify(str(exc))
            return
        self.checks += 1
        self.last_result = result
        self.render(result)

    def _run_check(self) -> CheckResult:
        """`check()`, here or (with `cancel`) in a background thread while `q` is listened for."""
        if self.cancel is None or self.keys is None:
            return self.check()
        outcome: dict = {}

        def work():
            try:
                outcome["result"] = self.check()
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread as it is
                outcome["error"] = exc

        self._running = threading.Thread(target=work, name="d2lcoach-watch-check", daemon=True)
        self._running.start()
        while self._running.is_alive():
            if self.keys.read_during_check(self.tick):
                self.cancel()
                self._running.join(timeout=30)
                raise _Cancelled
            self._running.join(timeout=0.01)
        self._running = None
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    # ------------------------------------------------------------------ seeing changes

    def _start_watching(self):
        self.path = Path(self.path_provider())
        if self.force_poll:
            self.mode, self.mode_reason = POLLING, "--poll"
        else:
            try:
                self._events = self.events_factory()
                self._events.watch(self.path.parent)
                self.mode, self.mode_reason = EVENTS, ""
            except OSError as exc:
                self._close_events()
                self._to_polling(f"file-system events are not available ({exc})")
        self._reset_state()

    def _retarget(self) -> bool:
        """Follow the current exercise after `n` or `r`; True when the watched file changed."""
        path = Path(self.path_provider())
        if path == self.path:
            return False
        self.path = path
        if self.mode == EVENTS:
            try:
                self._events.watch(path.parent)
            except OSError as exc:
                self._close_events()
                self._to_polling(f"file-system events are not available for {path.parent} ({exc})")
        self._reset_state()
        return True

    def _reset_state(self):
        now = self.clock()
        self._due = None
        self._seen = self._verified = fingerprint(self.path)
        self._evidence = False
        self._next_poll = now + self.poll_interval
        self._next_verify = now + self.verify_interval

    def _to_polling(self, reason: str):
        self.mode, self.mode_reason = POLLING, reason
        self._seen = fingerprint(self.path) if self.path else None
        self._next_poll = self.clock() + self.poll_interval
        self.notify(f"{reason}; checking {self.path.name if self.path else 'the file'} for changes "
                    f"every {self.poll_interval:g} s instead")

    def _close_events(self):
        events, self._events = self._events, None
        if events is not None:
            with contextlib.suppress(OSError):
                events.close()

    def _look(self):
        """Take in what changed since the last look: file-system events, or a poll when one is due."""
        now = self.clock()
        if self.mode == EVENTS:
            self._drain(now)
            if self.mode == EVENTS and now >= self._next_verify:
                self._verify(now)
        elif now >= self._next_poll:
            self._next_poll = now + self.poll_interval
            current = fingerprint(self.path)
            if current != self._seen:
                self._seen = current
                self._due = now + self.debounce

    def _drain(self, now: float, wait: float = 0.0):
        """Take in the events waiting now (with `wait`, wait up to that long for the first one)."""
        try:
            events = self._events.read(wait)
        except OSError as exc:
            self._close_events()
            self._to_polling(f"reading file-system events failed ({exc})")
            self._due = now
            return
        for kind, name in events:
            if kind == ENDED:
                self._close_events()
                self._to_polling(f"the watch on {self.path.parent} ended (folder removed or moved?)")
                self._due = now + self.debounce
                return
            if name == self.path.name:  # a save, a rename onto the file, its removal: check it
                self._evidence = True
                self._due = now + self.debounce

    def _verify(self, now: float):
        """Compare the file with its last fingerprint: a change that no event announced means that
        events do not arrive here, so switch to polling (and check the change)."""
        self._next_verify = now + self.verify_interval
        current = fingerprint(self.path)
        if current != self._verified and not self._evidence:
            self._drain(now, self.settle)  # the event of a write that just landed may be on its way
            if self.mode == EVENTS and not self._evidence:
                self._close_events()
                self._to_polling(f"file-system events did not arrive for a change to {self.path.name}")
                self._due = now
        self._verified = current
        self._evidence = False
