"""`bash scripts/quickstart.sh demo` ends with the lines a learner pastes next, and those lines work.

The set-up step is given a ready `.venv` (a wrapper around this interpreter), so the test runs the
script itself, then the printed lines in a fresh shell, without installing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_demo_ends_with_lines_that_work_when_pasted(tmp_path):
    clone = tmp_path / "my clone"  # a space in the path: the printed lines must quote it
    (clone / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "quickstart.sh", clone / "scripts" / "quickstart.sh")
    shutil.copy(REPO / "pyproject.toml", clone / "pyproject.toml")
    venv_bin = clone / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" "$@"\n')
    (venv_bin / "d2lcoach").write_text(f'#!/bin/sh\nexec "{venv_bin / "python"}" -m d2lcoach "$@"\n')
    (venv_bin / "activate").write_text(f'export VIRTUAL_ENV="{clone / ".venv"}"\nexport PATH="{venv_bin}:$PATH"\n')
    for name in ("python", "d2lcoach"):
        (venv_bin / name).chmod(0o755)
    (clone / ".venv" / ".d2lcoach-installed").touch()
    env = {k: v for k, v in os.environ.items() if k not in ("D2LCOACH_WORKSPACE", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(NO_COLOR="1", PATH="/usr/bin:/bin")  # d2lcoach is not on the PATH before activation

    demo = subprocess.run(["bash", str(clone / "scripts" / "quickstart.sh"), "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    steps = [line for line in demo.stderr.splitlines() if line.startswith("quickstart: ")]
    assert steps[0].startswith("quickstart: checking what .venv has") and steps[-1].endswith("in demo-workspace")
    lines = demo.stdout.rstrip().splitlines()
    assert "linear_regression" in demo.stdout  # the course starts with D2L chapter 3
    assert (clone / "demo-workspace" / "ch03-linear-regression" / "linear_regression.py").is_file()
    pasted = [line.strip() for line in lines[-3:]]
    assert pasted[0].startswith("source ") and pasted[0].endswith("/.venv/bin/activate")
    assert pasted[1].startswith("cd ") and pasted[2] == "d2lcoach check"

    # Paste the first two lines into a fresh shell, from another folder, then use the tutor there.
    script = "\n".join(["set -e", *pasted[:2], "d2lcoach list --json", "pwd"])
    shell = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=600)
    assert shell.returncode == 0, shell.stdout + shell.stderr
    assert shell.stdout.rstrip().splitlines()[-1] == str(clone / "demo-workspace")
    assert '"current": true' in shell.stdout and '"id": "linear_regression"' in shell.stdout
