"""compare_values: the worst element's index, and equal tensors settled without the full comparison."""

from __future__ import annotations

import pytest
import torch

from d2lcoach.grading import compare
from d2lcoach.grading.compare import compare_values, unravel


@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4), (2, 1, 5), (2, 3, 4, 5), (4, 0 + 1, 6)])
def test_unravel_agrees_with_torch(shape):
    numel = int(torch.tensor(shape).prod()) if shape else 1
    for flat in range(numel):
        want = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), shape)) if shape else ()
        assert unravel(flat, shape) == want


def test_the_worst_element_is_found_without_torch_unravel_index(monkeypatch):
    """torch.unravel_index checks its arguments in Python on every call, which cost more than the rest
    of a failing comparison; the index is computed in plain arithmetic instead."""
    def refuse(*args, **kwargs):
        raise AssertionError("torch.unravel_index called")

    monkeypatch.setattr(torch, "unravel_index", refuse)
    expected = torch.zeros(2, 3, 4)
    actual = expected.clone()
    actual[1, 2, 3] = 5.0
    actual[0, 1, 1] = 1.0
    mismatch = compare_values(expected, actual, 1e-5, 1e-8)
    assert mismatch.index == (1, 2, 3) and mismatch.count == 2 and mismatch.actual == 5.0


@pytest.mark.parametrize("values", [[1.0, float("inf"), -float("inf"), -0.0], [0.0, 1e300, -2.5]])
def test_equal_tensors_pass_and_nan_still_matches_only_nan(values):
    expected = torch.tensor(values, dtype=torch.float64)
    assert compare_values(expected, expected.clone(), 0.0, 0.0) is None
    with_nan = torch.tensor([float("nan"), 1.0])
    assert compare_values(with_nan, with_nan.clone(), 0.0, 0.0) is None
    assert compare_values(with_nan, torch.tensor([1.0, 1.0]), 0.0, 0.0).index == (0,)
    assert compare.compare_values(torch.ones(2, 2), torch.ones(2, 2), 0.0, 0.0) is None


def test_a_failing_comparison_does_not_import_sympy():
    """torch.unravel_index imported torch's symbolic-shape machinery and sympy (a second or more) on the
    first failing comparison of a process: every `check` of a wrong answer paid it."""
    import subprocess
    import sys
    code = ("import sys, torch\n"
            "from d2lcoach.grading.compare import compare_values\n"
            "assert compare_values(torch.zeros(3, 4), torch.ones(3, 4), 1e-5, 1e-8).index == (0, 0)\n"
            "print('sympy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
