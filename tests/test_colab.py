"""A hosted notebook (Colab, SageMaker Studio Lab): no bubblewrap, often root; the magics must grade there.

In a fresh interpreter whose PATH holds no `bwrap` (an empty folder: d2lcoach starts Python and the
sandbox by absolute path), `%load_ext d2lcoach`, `%d2lcoach next` and `%d2lcoach check` run on a
stand-in for IPython's shell whose history holds the learner's cell. The check must grade the
cell on the level this machine allows without bubblewrap (on Linux: `process`; the portable level
where that is forced) and say which, in the footer and in `doctor`'s sandbox line.

Root: Colab runs its kernel as root, and so do these tests where the suite runs as root (this
project's CI container, Docker); the process level then runs the learner's child as an unprivileged
uid of its own. Where the suite does not run as root (a GitHub-hosted runner) the same probe runs as
that user: the level chosen is the same, only the child's uid differs, and the test says which it saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from d2lcoach.course import BUILTIN_ROOT

MAGIC_PROBE = r"""
import contextlib, io, json, os, shutil, sys
report_path, solution = sys.argv[1], sys.argv[2]
report = {"which_bwrap": shutil.which("bwrap"), "euid": os.geteuid()}

class Shell:
    '''The parts of IPython's shell that the extension uses.'''
    def __init__(self):
        self.user_ns = {"In": [""]}
    def register_magic_function(self, fn, magic_kind, magic_name):
        self.magics = {magic_name: fn}
    def set_next_input(self, text, replace=False):
        self.next_input = text

import d2lcoach
shell = Shell()
d2lcoach.load_ipython_extension(shell)
for step in ("next", "check"):
    if step == "check":  # the learner pastes the stub cell, fills it in and runs it
        shell.user_ns["In"].append(open(solution, encoding="utf-8").read())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        shell.magics["d2lcoach"](step)
    report[step] = out.getvalue()
report["offered_stub"] = bool(getattr(shell, "next_input", ""))
from d2lcoach.sandbox import LEVEL_TEXT, available_level
report["level"] = available_level()
report["level_text"] = LEVEL_TEXT[report["level"]]
with open(report_path, "w", encoding="utf-8") as f:
    json.dump(report, f)
"""


@pytest.mark.slow
def test_next_and_check_magics_grade_without_bubblewrap(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    notebook = tmp_path / "content"  # Colab's working folder
    notebook.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("D2LCOACH_WORKSPACE", "PYTHONPATH")}
    env.update(PATH=str(empty), NO_COLOR="1")
    report_path = tmp_path / "report.json"
    solution = BUILTIN_ROOT / "solutions" / "linear_regression.py"
    done = subprocess.run([sys.executable, "-c", MAGIC_PROBE, str(report_path), str(solution)], cwd=notebook,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert report_path.is_file(), done.stdout + done.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["which_bwrap"] is None
    assert report["euid"] == os.geteuid()  # root where the suite is root, as on Colab
    expected = "portable" if os.environ.get("D2LCOACH_SANDBOX", "").lower() == "portable" else "process"
    assert report["level"] == expected, report
    assert report["offered_stub"] and "linear_regression" in report["next"], report["next"]
    assert "PASSED linear_regression" in report["check"], report["check"]
    assert f"sandbox: {expected}; graded in" in report["check"], report["check"]
    assert (notebook / "d2lcoach-progress.yaml").is_file()  # progress goes beside the notebook
