"""Reads the expectation written at the top of each deliberately buggy or unusual submission.

Every file under tests/submissions/<exercise>/ starts with a docstring whose last lines say what
the grader must conclude (see d2lcoach/authoring/suite.py for the format and the parser).
"""

from __future__ import annotations

from pathlib import Path

from d2lcoach.authoring.suite import expectation_of

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


def expectation(path: Path) -> tuple[str, list[str]]:
    found = expectation_of(path)
    return found.verb, list(found.details)


def submissions(exercise: str | None = None) -> list[Path]:
    folders = [SUBMISSIONS / exercise] if exercise else sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir())
    return sorted(p for folder in folders for p in folder.glob("*.py"))
