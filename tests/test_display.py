"""Golden outputs of what a learner sees (colours off): one per typical bug and per scenario.

Regenerate after a deliberate change with D2LCOACH_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from d2lcoach import console as out
from d2lcoach.grading.engine import grade_source
from d2lcoach.sandbox import Limits

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
SEED = 11
CASES = {
    "softmax_global_max": ("softmax", HERE / "submissions/softmax/bug_global_max.py"),
    "conv2d_pad_one_side": ("conv2d", HERE / "submissions/conv2d/bug_pad_one_side.py"),
    "conv2d_output_size": ("conv2d", HERE / "submissions/conv2d/bug_output_size_off_by_one.py"),
    "batch_norm_4d_dim0_only": ("batch_norm", HERE / "submissions/batch_norm/bug_4d_dim0_only.py"),
    "gru_cell_z_swapped": ("gru_cell", HERE / "submissions/gru_cell/bug_z_swapped.py"),
    "nms_ge_threshold": ("nms", HERE / "submissions/nms/bug_ge_threshold.py"),
    # Issue 29: messages that point at the real bug.
    "positional_encoding_float32": ("positional_encoding",
                                    HERE / "submissions/positional_encoding/bug_float32_then_cast.py"),
    "lr_scheduler_int_result": ("lr_scheduler", HERE / "submissions/lr_scheduler/bug_int_final_lr.py"),
    "cross_entropy_accuracy_fraction": ("cross_entropy", HERE / "submissions/cross_entropy/bug_accuracy_fraction.py"),
    "adam_no_bias_correction": ("adam", HERE / "submissions/adam/bug_adam_no_bias_correction.py"),
    # Issue 29 part 3: the specific hint first, hints whose condition does not hold left out.
    "transformer_block_second_residual_from_X": ("transformer_block",
                                                 HERE / "submissions/transformer_block/bug_second_residual_from_X.py"),
    "transformer_block_lazy_linear": ("transformer_block", HERE / "submissions/transformer_block/bug_lazy_linear_ffn.py"),
    "lstm_cell_hidden_without_tanh": ("lstm_cell", HERE / "submissions/lstm_cell/bug_hidden_without_tanh.py"),
    "cross_entropy_accuracy_loops_over_classes": ("cross_entropy",
                                                  HERE / "submissions/cross_entropy/bug_accuracy_loops_over_classes.py"),
    "scenario_syntax_error": ("softmax", HERE / "scenarios/syntax_error.py"),
    "scenario_missing_function": ("softmax", HERE / "scenarios/missing_function.py"),
    "scenario_import_error": ("softmax", HERE / "scenarios/import_error.py"),
    "scenario_disallowed_import": ("softmax", HERE / "scenarios/disallowed_import.py"),
    "scenario_timeout": ("softmax", HERE / "scenarios/timeout.py"),
    "scenario_wrong_signature": ("softmax", HERE / "scenarios/wrong_signature.py"),
    "scenario_partial_failure": ("softmax", HERE / "scenarios/partial_failure.py"),
}


def _render(result, title) -> str:
    buffer = io.StringIO()
    saved = out.console
    out.console = Console(file=buffer, no_color=True, width=100, soft_wrap=True, force_terminal=False,
                          highlight=False, emoji=False)
    try:
        out.render_result(result, title, verbose=True)
    finally:
        out.console = saved
    text = buffer.getvalue()
    text = re.sub(r"sandbox: \w+; graded in \d+\.\d+ s", "sandbox: <level>; graded in <time> s", text)
    return text


@pytest.mark.parametrize("name", sorted(CASES))
def test_failure_display_is_pinned(course, sandbox, name):
    exercise_id, path = CASES[name]
    exercise = course.get(exercise_id)
    limits = Limits(wall_seconds=3, cpu_seconds=5) if "timeout" in name else None
    result = grade_source(exercise, path.read_text(), path.name, sandbox=sandbox, seed=SEED, limits=limits)
    assert not result.passed
    text = _render(result, exercise.title)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("D2LCOACH_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
    assert "Traceback (most recent call last)" not in text


def test_a_check_not_checked_because_of_an_exception_shows_the_exception():
    """Issue 29: `accuracy (scores per class)` failed with no explanation, even with --verbose, when
    another check failed for another reason: only --json said that an IndexError was raised."""
    from d2lcoach.results import CheckItem, CheckResult
    error = ("not checked, because accuracy(y_hat, y) with y_hat of shape (2, 3) float32 raised IndexError: "
             "index 2 is out of bounds for dimension 0 with size 2")
    result = CheckResult("cross_entropy", "cross_entropy.py", checks=[
        CheckItem("values", False, "cpu", "cross_entropy(y_hat, y): the result is wrong.", 2),
        CheckItem("accuracy (scores per class)", False, "cpu", error, 30),
        CheckItem("accuracy (predicted labels)", True, "cpu", "")])
    for verbose in (False, True):
        buffer = io.StringIO()
        saved = out.console
        out.console = Console(file=buffer, no_color=True, width=200, soft_wrap=True, highlight=False)
        try:
            out.render_result(result, "Cross-entropy", verbose=verbose)
        finally:
            out.console = saved
        text = buffer.getvalue()
        assert "raised IndexError: index 2 is out of bounds" in text, text
        assert "✗ accuracy (scores per class" in text, text
