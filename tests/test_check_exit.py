"""A single `check` ends without Python's finalisation (torch's teardown costs about a third of its
import again), with its exit status and its whole output intact; other commands end as usual."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = ("import atexit, sys\n"
       "atexit.register(lambda: print('finalised', file=sys.stderr))\n"
       "sys.argv = ['d2lcoach', *sys.argv[1:]]\n"
       "from d2lcoach.cli.main import program\n"
       "program()\n")


def _run(tmp_path, *args):
    return subprocess.run([sys.executable, "-c", RUN, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)


def test_a_check_exits_at_once_with_its_status_and_output(tmp_path):
    passing = _run(tmp_path, "check", "softmax", "--file", str(ROOT / "solutions" / "softmax.py"), "--json")
    assert passing.returncode == 0, passing.stderr
    assert json.loads(passing.stdout)["passed"] is True
    assert "finalised" not in passing.stderr
    failing = _run(tmp_path, "check", "softmax", "--file",
                   str(ROOT / "tests" / "submissions" / "softmax" / "bug_global_max.py"))
    assert failing.returncode == 1, failing.stderr
    assert "NOT YET" in failing.stdout and "reproduce this exact run with --seed" in failing.stdout
    assert "finalised" not in failing.stderr


def test_other_commands_and_bad_input_end_as_usual(tmp_path):
    listed = _run(tmp_path, "--workspace", str(tmp_path / "ws"), "next", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "finalised" in listed.stderr
    bad = _run(tmp_path, "check", "no_such_exercise", "--file", str(ROOT / "solutions" / "softmax.py"))
    assert bad.returncode == 2 and "finalised" in bad.stderr


def test_main_called_in_process_comes_back_after_a_check(tmp_path):
    """Only the program ends the process at once: a caller of `main` (a test, a probe) gets its
    SystemExit back and goes on."""
    code = ("import sys\n"
            "sys.argv = ['d2lcoach', *sys.argv[1:]]\n"
            "from d2lcoach.cli.main import main\n"
            "try:\n"
            "    main()\n"
            "except SystemExit as exc:\n"
            "    print('came back with', exc.code, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, "check", "softmax", "--file",
                           str(ROOT / "solutions" / "softmax.py"), "--json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "came back with 0" in done.stderr, done.stderr
    assert json.loads(done.stdout)["passed"] is True
