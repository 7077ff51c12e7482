"""Proving graders mechanically (`d2lcoach dev check`): seed sweeps, trust suites and mutation analysis."""

from d2lcoach.authoring.check import DevCheckReport, ExerciseCheck, dev_check

__all__ = ["DevCheckReport", "ExerciseCheck", "dev_check"]
