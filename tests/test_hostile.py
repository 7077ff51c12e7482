"""The hostile suite: every file under tests/hostile/ is a submission that attacks the grader.

Each attack is graded under both fork-based isolation levels (bubblewrap namespaces and the process
fallback), except where its docstring says it needs namespaces; with the portable level forced
(`pytest --sandbox-level=portable`, or D2LCOACH_SANDBOX=portable) under that level alone, except the
attacks it does not contain (see `portable:` below), and the test asserts what issue 4
asks of every submission: no credit (or, where it also answers correctly and the sandbox simply
stopped its attack, that the attack was contained), a clear one-line message and never a
d2lcoach traceback, the grader's files, the progress file and the other submissions byte-identical,
no process of the submission left behind, and the next, correct submission still passing in the
same sandbox.

Each attack file starts with a docstring whose lines say what must happen:
    expect: error [<text>]          no credit: the grade is an error (whose text contains <text>)
    expect: fail [<check>, ...]     no credit: the grade fails (each named check fails)
    expect: contained               any grade; the attack itself must have been stopped
    needs: namespaces               only the namespace level can hold (not run under the fallback)
    needs: namespaces-or-root       the fallback holds only when the grader runs as root (it then
                                    runs the child as an unprivileged uid of its own)
    portable: <why>                 the portable level does not contain it, and running it there would
                                    do real harm (the submission has the grader's own powers): not run
                                    at that level. Attacks that need namespaces (or namespaces-or-root)
                                    are not run at the portable level either, for the same reason.
    probe: <name>[, <name>]         extra checks of what the attack reports (see PROBES)
    before: classmate               an honest classmate holding a secret is graded first, in the
                                    same sandbox: the secret must never reach the attack's grade
    exercise: <id>                  the exercise it is submitted for (default: softmax)
    limits: cuda                    grade with the limits of a CUDA run
    static: rejected                the static check may refuse it before it runs
    policy: refused                 the code policy refuses it (test_code_policy_refuses_the_attack);
                                    every attack is graded with the policy off, so the sandbox's own
                                    walls (switched-off kernels, recorders, namespaces) are what hold
    policy: allowed                 the code policy lets it through on purpose (a submission's own
                                    private names, issue 29; test_code_policy_allows_the_attack): only
                                    the sandbox's walls hold it
    xfail: <level>[, <level>]: <why>  a known hole at those levels (strict: a fix must remove it);
                                    `<level>-as-root` only when the grader runs as root,
                                    `<level>-as-user` only when it does not
The attacks print `BREACH: ...` whenever one of their steps gets through; that always fails.
Placeholders in the source (__MARKER__, __REPO__, __WORKSPACE__, __PORT__, __GRADER_PID__) are
filled in per test; the marker names the attack's processes and files, so leftovers can be found.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import re
import resource
import secrets
import shutil
import site
import socket
import tempfile
import threading
import time
import types
from pathlib import Path

import pytest
import torch
from rich.console import Console

from d2lcoach import console as console_module
from d2lcoach import sandbox as sandbox_module
from d2lcoach.course import load_course
from d2lcoach.grading import engine
from d2lcoach.grading.engine import grade_source
from d2lcoach.grading.static import check_source
from d2lcoach.learner.progress import PROGRESS_FILENAME, Progress, save_progress
from d2lcoach.sandbox import NAMESPACES, PORTABLE, PROCESS, Limits, Sandbox
from tests.conftest import FORCED_PORTABLE

REPO = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
ATTACKS = sorted(p for p in HOSTILE.glob("*.py") if not p.name.startswith("_"))
# The fork-based levels by default; the portable level alone when it is forced (D2LCOACH_SANDBOX=portable
# or pytest --sandbox-level=portable), as CI's portable run does.
LEVELS = (PORTABLE,) if FORCED_PORTABLE else (NAMESPACES, PROCESS)
SEED = 7
LIMITS = Limits(wall_seconds=5, cpu_seconds=8, memory_bytes=1 << 30, processes=24,
                file_bytes=1 << 20, result_bytes=8 << 20)
DEVICES = ["cpu", engine.STAND_IN]  # the stand-in GPU: the sandboxes here are not started for CUDA
SCRATCH_BOUND = 64 << 20
PROTECTED = ("d2lcoach", "solutions", "graders", "exercises", "course.yaml")
SECRET_NAME = "D2LCOACH_HOSTILE_SECRET"
IS_ROOT = os.geteuid() == 0


# --------------------------------------------------------------------------- attack files

@dataclasses.dataclass
class Spec:
    path: Path
    expect: str
    details: list[str]
    needs: str = ""
    probes: tuple[str, ...] = ()
    exercise: str = "softmax"
    limits: str = ""
    static: str = ""
    before: str = ""
    policy: str = ""
    portable: str = ""
    xfail: dict[str, str] = dataclasses.field(default_factory=dict)

    def not_run_at_portable(self) -> str:
        """Why the portable level does not run this attack ("" when it does)."""
        if self.portable:
            return self.portable
        if self.needs:
            return f"needs {self.needs}: the portable child has the grader's own user and powers"
        return ""


def _docstring(path: Path) -> str:
    # Read the docstring as text: some attacks cannot even be parsed without a deep recursion.
    text = path.read_text()
    match = re.match(r'\s*"""(.*?)"""', text, re.S)
    if not match:
        raise ValueError(f"{path}: no docstring")
    return match.group(1)


def spec_of(path: Path) -> Spec:
    spec = Spec(path, "", [])
    for line in _docstring(path).splitlines():
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        value = value.strip()
        if key == "expect":
            verb, _, rest = value.partition(" ")
            spec.expect = verb
            if verb == "fail":
                spec.details = [c.strip() for c in rest.split(",") if c.strip()]
            elif verb == "error":
                spec.details = [rest.strip()] if rest.strip() else []
        elif key == "needs":
            spec.needs = value
        elif key == "probe":
            spec.probes = tuple(p.strip() for p in value.split(",") if p.strip())
        elif key == "exercise":
            spec.exercise = value
        elif key == "limits":
            spec.limits = value
        elif key == "static":
            spec.static = value
        elif key == "before":
            spec.before = value
        elif key == "policy":
            spec.policy = value
        elif key == "portable":
            spec.portable = value
        elif key == "xfail":
            levels, _, why = value.partition(":")
            for level in levels.split(","):
                level = level.strip()
                if level.endswith("-as-root"):
                    if not IS_ROOT:
                        continue
                    level = level[:-len("-as-root")]
                elif level.endswith("-as-user"):
                    if IS_ROOT:
                        continue
                    level = level[:-len("-as-user")]
                spec.xfail[level] = why.strip()
    if spec.expect not in ("error", "fail", "contained", "pass"):
        raise ValueError(f"{path}: no valid 'expect:' line in its docstring")
    return spec


def _params():
    params = []
    for path in ATTACKS:
        spec = spec_of(path)
        for level in LEVELS:
            marks = []
            if level == PORTABLE and spec.not_run_at_portable():
                continue
            if spec.needs == "namespaces":
                if level != NAMESPACES:
                    continue
                marks.append(pytest.mark.namespaces)
            if spec.needs == "namespaces-or-root" and level == PROCESS:
                marks.append(pytest.mark.skipif(not IS_ROOT, reason="the process fallback holds this "
                                                "only when the grader runs as root"))
            if level in spec.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=spec.xfail[level]))
            params.append(pytest.param(path, level, marks=marks, id=f"{path.stem}-{level}"))
    return params


# --------------------------------------------------------------------------- fixtures

def _namespaces_work() -> bool:
    probe = getattr(sandbox_module, "_bwrap_works", None)
    return bool(shutil.which("bwrap")) and (probe is None or probe())


@pytest.fixture(scope="module")
def course():
    return load_course()


@pytest.fixture(scope="module")
def grader_secret():
    """A secret in the grader's environment, set before any sandbox starts: no child may read it."""
    value = "s3cr3t-" + secrets.token_hex(8)
    old = os.environ.get(SECRET_NAME)
    os.environ[SECRET_NAME] = value
    yield value
    if old is None:
        os.environ.pop(SECRET_NAME, None)
    else:
        os.environ[SECRET_NAME] = old


@pytest.fixture(scope="module")
def boxes(grader_secret):
    """One warm sandbox per level, started lazily and closed at the end of the module."""
    started: dict[str, Sandbox] = {}

    def get(level: str) -> Sandbox:
        if level == NAMESPACES and not _namespaces_work():
            pytest.skip("bubblewrap cannot create namespaces on this machine")
        if level not in started:
            started[level] = Sandbox(level).start()
        return started[level]

    yield get
    for box in started.values():
        box.close()


@pytest.fixture
def without_policy(monkeypatch):
    """Grade with the code policy off: the attacks must be stopped by the sandbox's own walls."""
    monkeypatch.setattr(engine, "check_source", functools.partial(check_source, policy=False))


@pytest.fixture(scope="module")
def workspace():
    """A learner's workspace, readable by everyone as a real one would be: a progress file, a
    classmate's submission and a batch results file."""
    root = Path(tempfile.mkdtemp(prefix="d2lcoach-hostile-ws-", dir="/tmp"))
    os.chmod(root, 0o755)
    progress = Progress()
    progress.record_start("softmax")
    progress.record_check("softmax", True, {"cpu": True}, 1.0, "0" * 64)
    save_progress(root / PROGRESS_FILENAME, progress)
    shutil.copyfile(REPO / "solutions" / "softmax.py", root / "softmax.py")
    (root / "results.json").write_text('{"version": 1, "results": []}\n')
    for path in root.iterdir():
        os.chmod(path, 0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def listener():
    """A TCP and a UDP socket on 127.0.0.1 that no submission may reach."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.bind(("127.0.0.1", port))
    except OSError:
        udp.close()
        udp = None
    else:
        udp.setblocking(False)
    yield port, tcp, udp
    tcp.close()
    if udp is not None:
        udp.close()


# --------------------------------------------------------------------------- observations

def _tree_files(root: Path):
    if root.is_file():
        yield root
        return
    for folder, _, files in os.walk(root):
        for name in files:
            yield Path(folder) / name


def _snapshot(workspace: Path) -> dict[Path, str]:
    """sha256 of every grader file, every workspace file (and the names of the files there)."""
    hashes = {}
    for root in [REPO / p for p in PROTECTED] + [workspace]:
        for path in _tree_files(root):
            try:
                hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                hashes[path] = "unreadable"
    return hashes


def _changed(before: dict, after: dict, marker: str, workspace: Path) -> list[str]:
    """Files that differ. The workspace must be byte-identical. In the repository, which people may be
    editing while the suite runs, a difference counts when it carries the attack's marker or the
    sandbox user's ownership (every attack marks what it writes)."""
    changed = []
    for path in sorted(set(before) | set(after), key=str):
        if before.get(path) == after.get(path):
            continue
        if workspace not in path.parents:
            try:
                info = path.stat()
                marked = marker.encode() in path.read_bytes() or info.st_uid == 65534
            except OSError:
                marked = False
            if not marked and marker not in path.name:
                continue
        changed.append(f"{path}: {'created' if path not in before else 'deleted' if path not in after else 'changed'}")
    return changed


def _marked_files(marker: str, workspace: Path) -> list[str]:
    found = []
    folders = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), workspace, REPO, REPO / ".git" / "hooks"]
    folders += [Path(p) for p in site.getsitepackages()]
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found += [str(folder / n) for n in names if marker in n]
    for root in [REPO / p for p in PROTECTED]:
        found += [str(p) for p in _tree_files(root) if marker in p.name]
    return found


def _marked_processes(marker: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            comm = Path(f"/proc/{entry}/comm").read_text().strip()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in comm or marker in cmdline:
            found.append(f"pid {entry}: {comm} {cmdline[:120]}")
    return found


def _wait_no_processes(marker: str, seconds: float = 5.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        left = _marked_processes(marker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        parents[int(entry)] = int(stat[stat.rfind(b")") + 2:].split()[1])
    found = []
    for child in parents:
        p, hops = child, 0
        while p in parents and p != pid and hops < 4096:
            p, hops = parents[p], hops + 1
        if p == pid and child != pid:
            found.append(child)
    return found


def _sandbox_processes(box: Sandbox) -> int:
    proc = box._proc
    return 0 if proc is None or proc.poll() is not None else 1 + len(_descendants(proc.pid))


def _explain(result) -> str:
    lines = [f"isolation: {result.isolation}; passed {result.passed}; score {result.score}"]
    if result.error:
        lines.append(f"error: {result.error}")
    lines += [f"{'PASS' if c.passed else 'FAIL'} {c.device} {c.name}: {c.message[:300]}" for c in result.checks]
    if result.output:
        lines.append("output: " + result.output[:1500])
    return "\n".join(lines)


def _numbers(output: str, tag: str) -> list[int]:
    return [int(n) for n in re.findall(rf"^{tag} (\d+)", output, re.M)]


# --------------------------------------------------------------------------- probes

def _probe_forks(result, ctx):
    forks = result.output.count("FORKED\n")
    assert forks, "the attack did not report its processes\n" + _explain(result)
    if ctx["box"].level == PORTABLE and hasattr(os, "geteuid") and os.geteuid() == 0:
        # RLIMIT_NPROC does not hold for root: at the portable level the watch alone (ten looks a
        # second, README) bounds the bomb, and processes started between two looks get through.
        # It must still be cut short of the bomb's own cap (24 forks, each forking once more).
        assert forks < 48, f"the bomb ran to its own cap ({forks} processes): nothing stopped it"
        return
    assert forks < ctx["limits"].processes, (
        f"the submission started {forks} processes besides itself; the limit is {ctx['limits'].processes}")


def _probe_memory(result, ctx):
    held = _numbers(result.output, "HELD_MIB")
    assert held, "the attack did not report how much memory it held\n" + _explain(result)
    assert held[-1] <= ctx["limits"].memory_bytes >> 20, f"it held {held[-1]} MiB"


def _probe_output(result, ctx):
    assert len(result.output) <= 16384, f"the grader kept {len(result.output)} characters of output"
    grew = ctx["rss_after"] - ctx["rss_before"]
    assert grew < 128 << 10, f"the grader's peak memory grew by {grew} KiB while reading the flood"


def _probe_message_size(result, ctx):
    sizes = [len(c.message) for c in result.checks] + [len(result.error or "")]
    assert max(sizes) <= 16384, f"a check's message kept {max(sizes)} characters of the submission's result"


def _probe_file_size(result, ctx):
    wrote = _numbers(result.output, "WROTE")
    assert wrote, "the attack did not report its file's size\n" + _explain(result)
    assert wrote[-1] <= ctx["limits"].file_bytes, f"it wrote a file of {wrote[-1]} bytes"


def _probe_scratch_total(result, ctx):
    total = _numbers(result.output, "TOTAL")
    assert total, "the attack did not report how much it wrote\n" + _explain(result)
    assert total[-1] <= SCRATCH_BOUND, f"one submission wrote {total[-1] >> 20} MiB to its scratch space"


def _probe_network(result, ctx):
    _, tcp, udp = ctx["listener"]
    try:
        conn, _ = tcp.accept()
    except OSError:  # nothing pending (BlockingIOError)
        pass
    else:
        conn.close()
        pytest.fail("the submission connected to 127.0.0.1")
    if udp is not None:
        try:
            data = udp.recv(1024)
        except OSError:  # nothing pending (BlockingIOError)
            pass
        else:
            pytest.fail(f"the submission sent a datagram to 127.0.0.1: {data!r}")


def _probe_persist(result, ctx):
    detector = _grade(ctx["box"], ctx["exercise"], _fill(HOSTILE / "_detect_leftovers.py", ctx), ctx["limits"])
    assert "LEFTOVER" not in detector.output, "files of the last submission were left for the next:\n" + detector.output
    assert detector.passed, _explain(detector)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def render_plain(result) -> str:
    """What plain `check` prints for this result (no terminal: no colour, markup rendered)."""
    saved = console_module.console
    buffer = io.StringIO()
    console_module.console = Console(file=buffer, no_color=True, highlight=False, soft_wrap=True, width=200,
                                     emoji=False, force_terminal=False)
    try:
        console_module.render_result(result, verbose=True)
    finally:
        console_module.console = saved
    return buffer.getvalue()


def _probe_clean_text(result, ctx):
    rendered = render_plain(result)
    texts = [result.output, result.error or "", rendered] + [c.message for c in result.checks]
    for text in texts:
        found = _CONTROL.search(text)
        assert not found, f"a raw control character {found.group()!r} in:\n{text!r}"
    # Learner text is shown as written: markup in it is not interpreted (so it appears literally).
    for line in (result.output.strip().splitlines() + [result.error or ""])[:20]:
        assert line.strip() in rendered, f"printed text changed on display: {line!r}\n{rendered}"


PROBES = {"forks": _probe_forks, "memory": _probe_memory, "output": _probe_output,
          "file_size": _probe_file_size, "scratch_total": _probe_scratch_total,
          "network": _probe_network, "persist": _probe_persist, "clean_text": _probe_clean_text,
          "message_size": _probe_message_size}


# --------------------------------------------------------------------------- grading

def _fill(path: Path, ctx: dict) -> str:
    text = path.read_text()
    for key, value in (("__MARKER__", ctx["marker"]), ("__VICTIM__", ctx.get("victim", "")),
                       ("__CLASSMATE__", ctx.get("classmate", "")),
                       ("__REPO__", str(REPO)), ("__WORKSPACE__", str(ctx["workspace"])),
                       ("__PORT__", str(ctx["port"])), ("__GRADER_PID__", str(os.getpid()))):
        text = text.replace(key, value)
    return text


def _grade(box: Sandbox, exercise, source: str, limits: Limits):
    try:
        return grade_source(exercise, source, exercise.filename, sandbox=box, seed=SEED,
                            limits=limits, devices=DEVICES)
    except Exception as exc:  # noqa: BLE001 - the point: grade_source must never raise
        pytest.fail(f"grade_source raised {type(exc).__name__}: {exc}")


def _assert_message(result):
    texts = [result.error or ""] + [c.message for c in result.checks]
    for text in texts:
        assert not re.search(r"^\s*Traceback \(most recent call last\)", text, re.M), (
            "a traceback reached the learner:\n" + text)
        assert str(REPO / "d2lcoach") not in text and "/d2lcoach-runtime/" not in text, (
            "a d2lcoach file is named in a message:\n" + text)
    if result.passed:
        return
    if result.error is not None:
        assert result.error.strip(), "an empty error"
        assert "\n" not in result.error.strip(), "the error is not one line:\n" + result.error
    else:
        failures = result.failures()
        assert failures, _explain(result)
        for check in failures:
            assert check.message.strip().splitlines()[0].strip(), f"check {check.name!r} failed without a message"


def _assert_expectation(result, spec: Spec):
    if spec.static != "rejected":
        refused = [c for c in result.checks if c.device == "-" and not c.passed]
        assert not refused, "the static check refused the attack, so the sandbox was not tested:\n" + _explain(result)
    if spec.expect == "error":
        assert result.error is not None, "expected the grade to be an error\n" + _explain(result)
        for text in spec.details:
            assert text.lower() in result.error.lower(), f"expected {text!r} in the error\n" + _explain(result)
        assert result.score == 0.0
    elif spec.expect == "fail":
        assert not result.passed, "the attack got full credit\n" + _explain(result)
        failing = {c.name for c in result.failures()}
        for check in spec.details:
            assert check in failing, f"expected check {check!r} to fail\n" + _explain(result)
        if "forbidden routine" in spec.details:
            assert result.score == 0.0, "a forbidden routine must score 0\n" + _explain(result)
    elif spec.expect == "pass":
        assert result.passed, _explain(result)
    elif spec.expect == "contained":
        # Any grade, but the attack must have run: an attack that crashed on its own tests nothing.
        crashed = [c for c in result.failures() if " raised " in c.message.splitlines()[0]]
        assert "loading the submission raised" not in (result.error or "") and not crashed, (
            "the attack failed by itself instead of attacking\n" + _explain(result))


@pytest.mark.parametrize("path, level", _params())
def test_attack_is_contained(path, level, course, boxes, workspace, listener, grader_secret, without_policy):
    spec = spec_of(path)
    box = boxes(level)
    exercise = course.get(spec.exercise)
    limits = dataclasses.replace(LIMITS, cuda=True) if spec.limits == "cuda" else LIMITS
    marker = "d2lh" + secrets.token_hex(4)
    ctx = {"marker": marker, "workspace": workspace, "port": listener[0], "listener": listener, "box": box,
           "exercise": exercise, "limits": limits}
    source = _fill(path, ctx)
    secrets_of_classmate = []
    if spec.before == "classmate":
        ctx["classmate"] = secrets.token_hex(8)
        secrets_of_classmate = [ctx["classmate"]]
        classmate = _grade(box, exercise, _fill(HOSTILE / "_classmate.py", ctx), LIMITS)
        assert classmate.passed and ctx["classmate"] in classmate.output, _explain(classmate)
    before = _snapshot(workspace)
    ctx["rss_before"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    result = _grade(box, exercise, source, limits)

    ctx["rss_after"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        assert result.isolation == level, _explain(result)
        _assert_expectation(result, spec)
        _assert_message(result)
        assert "BREACH" not in result.output, "the attack got through:\n" + _explain(result)
        assert grader_secret not in result.output, "the grader's secret reached the submission"
        shown = "\n".join([result.output, result.error or ""] + [c.message for c in result.checks])
        for secret in secrets_of_classmate:
            assert secret not in shown, "a classmate's data reached the attack's grade:\n" + _explain(result)
        for name in spec.probes:
            PROBES[name](result, ctx)
        changed = _changed(before, _snapshot(workspace), marker, workspace)
        assert not changed, "files the submission must not touch changed:\n" + "\n".join(changed)
        planted = _marked_files(marker, workspace)
        assert not planted, "the submission left files behind:\n" + "\n".join(planted)
        left = _wait_no_processes(marker)
        assert not left, "processes of the submission survived grading:\n" + "\n".join(left)

        # The next, correct submission still passes, in the same sandbox.
        honest = _grade(box, exercise, exercise.solution_path.read_text(), LIMITS)
        assert honest.passed and honest.isolation == level, "the next correct submission:\n" + _explain(honest)
        left = _wait_no_processes(marker)
        assert not left, "processes of the submission survived the next grade:\n" + "\n".join(left)
    except BaseException:
        box.close()  # a sandbox that let an attack through is not reused: the next test starts a fresh one
        raise
    finally:
        _cleanup(marker, workspace)


def _cleanup(marker: str, workspace: Path):
    """Whatever an attack managed, leave nothing of it for the next test."""
    for line in _marked_processes(marker):
        try:
            os.kill(int(line.split()[1].rstrip(":")), 9)
        except (OSError, ValueError):
            pass
    for path in _marked_files(marker, workspace):
        path = Path(path)
        if path.is_dir() and not path.is_symlink():
            os.chmod(path, 0o700)
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------- other attacks

@pytest.mark.parametrize("level", [pytest.param(NAMESPACES, marks=pytest.mark.namespaces), PROCESS])
def test_concurrent_submissions_cannot_signal_each_other(level, course, boxes, workspace, listener, without_policy):
    """Batch grading may run several sandboxes at once: one submission must not kill another's."""
    exercise = course.get("softmax")
    attacker_box = boxes(level)
    victim_box = Sandbox(level).start()
    ctx = {"marker": "d2lh" + secrets.token_hex(4), "victim": "d2lv" + secrets.token_hex(4),
           "workspace": workspace, "port": listener[0]}
    try:
        warm = _grade(victim_box, exercise, exercise.solution_path.read_text(), LIMITS)
        assert warm.passed, _explain(warm)
        _grade(attacker_box, exercise, exercise.solution_path.read_text(), LIMITS)
        outcome = {}
        victim = threading.Thread(target=lambda: outcome.update(result=grade_source(
            exercise, _fill(HOSTILE / "_victim.py", ctx), exercise.filename, sandbox=victim_box, seed=SEED,
            limits=LIMITS, devices=DEVICES)))
        victim.start()
        attack = _grade(attacker_box, exercise, _fill(HOSTILE / "_kill_other_submission.py", ctx), LIMITS)
        victim.join(60)
        assert "result" in outcome, "the victim's grading did not finish"
        assert outcome["result"].passed, "the honest submission graded beside the attack:\n" + _explain(
            outcome["result"]) + "\n\nattack:\n" + _explain(attack)
        assert "BREACH" not in attack.output, _explain(attack)
    finally:
        victim_box.close()


@pytest.mark.parametrize("path", [p for p in ATTACKS if spec_of(p).policy == "refused"], ids=lambda p: p.stem)
def test_code_policy_refuses_the_attack(path, course):
    """With the policy on (as in every real grade), the attack never runs: one line per finding,
    naming the line and the rule."""
    spec = spec_of(path)
    exercise = course.get(spec.exercise)
    source = _fill(path, {"marker": "d2lhpolicy", "workspace": "/nonexistent", "port": 9})
    findings = [f for f in check_source(source, path.name, exercise) if f.check == "code rules"]
    assert findings, f"{path.name}: the code policy let it through"
    for finding in findings:
        assert re.match(r"line \d+: \S", finding.message) and "\n" not in finding.message, finding.message
    unused = types.SimpleNamespace(level="none")  # refused code never reaches a sandbox
    result = grade_source(exercise, source, path.name, sandbox=unused, seed=SEED)
    assert not result.passed and result.score == 0.0 and result.zero_score


@pytest.mark.parametrize("path", [p for p in ATTACKS if spec_of(p).policy == "allowed"], ids=lambda p: p.stem)
def test_code_policy_allows_the_attack(path, course):
    """What the policy allows on purpose, an attack can use too: no code-rule finding, so the verdict
    that test_attack_is_contained asserts comes from the sandbox's walls alone."""
    spec = spec_of(path)
    source = _fill(path, {"marker": "d2lhpolicy", "workspace": "/nonexistent", "port": 9})
    assert [f.message for f in check_source(source, path.name, course.get(spec.exercise))] == []


def test_the_suite_is_complete():
    assert len(ATTACKS) >= 15
    for path in ATTACKS:
        spec = spec_of(path)
        assert spec.expect, path
        assert all(name in PROBES for name in spec.probes), path
        assert set(spec.xfail) <= {NAMESPACES, PROCESS, PORTABLE}, path


def test_no_case_sends_what_only_its_grader_judges_by(course):
    """Case data carries no answer (issue 22): a value a grader keeps in `grader_data` (xavier_init's
    bound a) is never in the request the sandbox receives, where a submission could read it."""
    from d2lcoach.grading.engine import prepare

    class Sent(Exception):
        pass

    class Recorder:
        level = "process"

        def run(self, request, limits):
            self.request = request
            raise Sent

    def numbers(x, out):
        if isinstance(x, float):
            out.add(x)
        elif isinstance(x, torch.Tensor) and x.numel() < 10_000:
            out.update(float(v) for v in x.flatten().tolist())
        elif isinstance(x, dict):
            for v in x.values():
                numbers(v, out)
        elif isinstance(x, (list, tuple)):
            for v in x:
                numbers(v, out)
        return out

    judged = 0
    for exercise in course.exercises:
        cases, _ = prepare(exercise, 0)
        private = numbers([c.grader_data for c in cases], set())
        if not private:
            continue
        box = Recorder()
        with pytest.raises(Sent):
            grade_source(exercise, exercise.solution_path.read_text(), exercise.filename, sandbox=box, seed=0)
        sent = numbers(box.request, set())
        assert not private & sent, (exercise.id, sorted(private & sent))
        judged += 1
    assert judged >= 1  # xavier_init keeps its bound a to itself
