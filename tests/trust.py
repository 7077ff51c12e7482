"""Reads the expectation written at the top of each deliberately buggy or unusual submission.

Every file under tests/submissions/<exercise>/ starts with a docstring whose last lines say what
the grader must conclude:
    expect: pass
    expect: fail <check>[; <check> ...]      the submission fails, and each named check fails
                                             (a comma outside parentheses also separates)
    expect: error <text>                     the submission cannot be graded; the cause contains <text>
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


def expectation(path: Path) -> tuple[str, list[str]]:
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    for line in doc.splitlines():
        line = line.strip()
        if line.startswith("expect:"):
            verb, _, rest = line[len("expect:"):].strip().partition(" ")
            if verb == "pass":
                return "pass", []
            if verb == "fail":
                return "fail", [c.strip() for c in re.split(r";|,(?![^(]*\))", rest) if c.strip()]
            if verb == "error":
                return "error", [rest.strip()]
    raise ValueError(f"{path}: no 'expect:' line in its docstring")


def submissions(exercise: str | None = None) -> list[Path]:
    folders = [SUBMISSIONS / exercise] if exercise else sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir())
    return sorted(p for folder in folders for p in folder.glob("*.py"))
