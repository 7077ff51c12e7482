"""Commands that do not grade never import torch (issue 23): each runs in a fresh interpreter.

Importing torch costs seconds; `--version`, `--help`, `list`, `hint`, `next`, `reset`, `solution`,
`doctor --fast`, `init`, shell completion and the `%d2lcoach next|hint` magics must not pay it. Each
case runs the real entry point (`d2lcoach.cli.main.main`, or the IPython extension) in a fresh `python -c`,
in a temporary workspace, and reports which modules it left in `sys.modules`. A device probe
(`doctor`) is the control: it must import torch, so the probe itself is seen to work.
No timing here: benchmarks/bench_commands.py measures the seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from d2lcoach.cli.main import app

HEAVY = ("torch", "d2lcoach.grading.engine")

# Runs one command through d2lcoach's console entry point, then writes its exit code and which of
# HEAVY it imported to the file named by argv[2] (stdout belongs to the command).
CLI_PROBE = """
import json, sys
args, report = json.loads(sys.argv[1]), sys.argv[2]
sys.argv = ["d2lcoach", *args]
code = 0
try:
    from d2lcoach.cli.main import main
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
with open(report, "w") as f:
    json.dump({"code": code, "imported": [m for m in %r if m in sys.modules]}, f)
""" % (HEAVY,)

# `%load_ext d2lcoach`, then the magics named in argv[1], on a stand-in for IPython's shell.
MAGIC_PROBE = """
import json, sys
lines, report = json.loads(sys.argv[1]), sys.argv[2]

class Shell:
    user_ns = {}
    def register_magic_function(self, fn, magic_kind, magic_name):
        self.magics = {magic_name: fn}
    def set_next_input(self, text, replace=False):
        self.next_input = text

import d2lcoach
shell = Shell()
d2lcoach.load_ipython_extension(shell)
for line in lines:
    shell.magics["d2lcoach"](line)
with open(report, "w") as f:
    json.dump({"code": 0 if getattr(shell, "next_input", "") else 1,
               "imported": [m for m in %r if m in sys.modules]}, f)
""" % (HEAVY,)


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("D2LCOACH_WORKSPACE", "PYTHONPATH")}
    env.update(NO_COLOR="1", PYTHONPATH=str(Path(__file__).resolve().parent.parent), **extra)
    return env


def _probe(script: str, argument, cwd: Path, **env) -> dict:
    report = cwd / "probe.json"
    done = subprocess.run([sys.executable, "-c", script, json.dumps(argument), str(report)], cwd=cwd,
                          env=_env(**env), capture_output=True, text=True, timeout=300)
    assert report.is_file(), done.stdout + done.stderr
    return {**json.loads(report.read_text()), "output": done.stdout + done.stderr}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A workspace whose learner has started the first exercise (set up in this process)."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("D2LCOACH_WORKSPACE", raising=False)
    ws = tmp_path / "ws"
    started = CliRunner().invoke(app, ["--workspace", str(ws), "next"])
    assert started.exit_code == 0, started.output
    return ws


@pytest.mark.parametrize("args", [
    ["--version"],
    ["--help"],
    ["check", "--help"],
    ["grade", "--help"],
    ["watch", "--help"],
    ["progress", "rebuild", "--help"],
    ["list"],
    ["list", "--json"],
    ["hint"],
    ["hint", "--all", "--json"],
    ["next"],
    ["next", "--exercise", "softmax", "--notebook"],
    ["reset"],
    ["solution", "softmax", "--force"],
    ["doctor", "--fast"],
    ["init", "another"],
    ["--show-completion", "bash"],
], ids=" ".join)
def test_a_command_that_does_not_grade_does_not_import_torch(workspace, args):
    # typer takes `--show-completion bash`'s shell from the process tree (shellingham) and ignores the
    # argument, so the run failed ("Shell  not supported") where no shell is among pytest's parents;
    # with detection off, typer's option takes the shell named.
    env = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"} if "--show-completion" in args else {}
    ran = _probe(CLI_PROBE, ["--workspace", str(workspace), *args], workspace.parent, **env)
    assert ran["code"] == 0, ran["output"]
    assert ran["imported"] == [], f"d2lcoach {' '.join(args)} imported {ran['imported']}"


def test_shell_completion_does_not_import_torch(workspace):
    ran = _probe(CLI_PROBE, [], workspace.parent, _D2LCOACH_COMPLETE="complete_bash",
                 COMP_WORDS="d2lcoach li", COMP_CWORD="1")
    assert ran["code"] == 0, ran["output"]
    assert "list" in ran["output"].split(), ran["output"]  # it did complete
    assert ran["imported"] == [], f"completion imported {ran['imported']}"


def test_the_next_and_hint_magics_do_not_import_torch(workspace):
    ran = _probe(MAGIC_PROBE, ["next", "hint"], workspace)
    assert ran["code"] == 0, ran["output"]
    assert "Hint 1/" in ran["output"], ran["output"]
    assert ran["imported"] == [], f"%d2lcoach next, hint imported {ran['imported']}"


def test_a_device_probe_does_import_torch(workspace):
    """The control: the probe sees torch where a command does need it."""
    ran = _probe(CLI_PROBE, ["--workspace", str(workspace), "doctor"], workspace.parent)
    assert ran["code"] == 0, ran["output"]
    assert "torch" in ran["imported"]


def test_doctor_fast_names_the_installed_versions_and_what_it_did_not_probe(workspace):
    from importlib import metadata

    from d2lcoach.learner.tutor import NOT_PROBED
    ran = CliRunner().invoke(app, ["--workspace", str(workspace), "doctor", "--fast", "--json"])
    assert ran.exit_code == 0, ran.output
    facts = json.loads(ran.output)
    assert facts["torch"] == metadata.version("torch") and facts["workspace"] == str(workspace)
    assert facts["cuda available"] == facts["devices for checks"] == NOT_PROBED
