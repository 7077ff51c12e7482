"""Grader for gru_cell (D2L 10.2): one GRU step in the book's form: values, where the reset gate
goes, which way the update gate blends, the book's parameter order, batch sizes, float64, and
gradients to X, H and all nine parameters.

Every case is gru_cell(X, H, params) with params a tuple of nine tensors, so gradient paths are
(0,) for X, (1,) for H and (2, k) for params[k]. Cases of "reset gate placement" and "update gate
direction" push the gates towards 0 or 1 with their biases, so that the wrong form differs from the
book's by O(1) instead of by a few percent.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.compare import show
from d2lcoach.grading.engine import compare_output

NAMES = ("X", "H", "params")
PARAM_NAMES = ("W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h")

VALUES = "values"
RESET = "reset gate placement"
UPDATE = "update gate direction"
ORDER = "parameter order"
BATCH = "batch sizes"
FLOAT64 = "float64"

HINTS = {
    VALUES: "D2L 10.2: Z = sigmoid(X @ W_xz + H @ W_hz + b_z), R = sigmoid(X @ W_xr + H @ W_hr + b_r), "
            "H_tilde = tanh(X @ W_xh + (R * H) @ W_hh + b_h), H_new = Z * H + (1 - Z) * H_tilde. Sigmoid for "
            "the gates, tanh for the candidate, and every bias.",
    RESET: "The reset gate scales H before the product with W_hh: tanh(X @ W_xh + (R * H) @ W_hh + b_h). "
           "nn.GRUCell applies it after the product, R * (H @ W_hh), which is another function.",
    UPDATE: "The blend is H_new = Z * H + (1 - Z) * H_tilde: Z near 1 keeps the old state H. Swapping Z and "
            "1 - Z is the most common slip.",
    ORDER: "Unpack the parameters in the book's order: W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = "
           "params (update gate, reset gate, candidate; for each the X weight, the H weight, the bias). "
           "PyTorch's own GRU orders its gates r, z, n.",
    BATCH: "Every row of X and H is one example: the matrix products keep the batch dimension first, and "
           "the biases (num_hiddens,) broadcast over it. A batch of one is still 2-D.",
    FLOAT64: "float64 input is checked at float64 precision (about 1e-9): compute in X's dtype, with no "
             ".float() on the way.",
}


def _with_params(case: Case, message: str) -> str:
    """Add the nine parameters to a value mismatch's counterexample (the engine shows top-level tensors only)."""
    params = case.args[2]
    lines = [f"  params[{k}] = {name} = {show(p)}" for k, (name, p) in enumerate(zip(PARAM_NAMES, params))
             if p.numel() <= 64]
    if not lines:
        return message
    marker = "\nExpected (around the worst element)"
    at = message.find(marker)
    if at < 0:
        return message + "\n" + "\n".join(lines)
    return message[:at] + "\n" + "\n".join(lines) + message[at:]


def _compare(expected, actual, case, device):
    found = compare_output(expected, actual, case, device, "H_new")
    return [(name, _with_params(case, msg) if name == case.property else msg) for name, msg in found]


def _params(gen, d, h, dtype=torch.float32, b_z=None, b_r=None, hh_scale=1.0):
    def w(rows, cols, scale=1.0):
        return torch.randn(rows, cols, generator=gen, dtype=dtype) * (scale / rows ** 0.5) * 1.5

    def b():
        return torch.randn(h, generator=gen, dtype=dtype) * 0.5

    W_xz, W_hz, bz = w(d, h), w(h, h), b()
    W_xr, W_hr, br = w(d, h), w(h, h), b()
    W_xh, W_hh, bh = w(d, h), w(h, h, hh_scale), b()
    if b_z is not None:
        bz = bz * 0.1 + b_z
    if b_r is not None:
        br = br * 0.1 + b_r
    return (W_xz, W_hz, bz, W_xr, W_hr, br, W_xh, W_hh, bh)


def _case(prop, gen, batch, d, h, dtype=torch.float32, **kw):
    X = torch.randn(batch, d, generator=gen, dtype=dtype)
    H = torch.randn(batch, h, generator=gen, dtype=dtype) * 0.8
    params = _params(gen, d, h, dtype, **kw)
    grad = ((0,), (1,)) + tuple((2, k) for k in range(9))
    return Case(property=prop, args=(X, H, params), names=NAMES, label="gru_cell(X, H, params)",
                grad=grad, grad_outputs=[torch.randn(batch, h, generator=gen, dtype=dtype)],
                compare=_compare, hint=HINTS[prop], checks=("shape", "dtype"))


def _alternating(gen, h, size):
    """A bias of +size or -size per hidden unit, at least one of each: a gate near 1 or near 0 per unit."""
    signs = torch.where(torch.rand(h, generator=gen) < 0.5, 1.0, -1.0)
    signs[0], signs[1] = 1.0, -1.0
    return signs * size


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # values: the book's formulas on random inputs, square and non-square weights.
    for batch, d, h in ((2, 3, 4), (3, 4, 4), (4, 5, 3)):
        cases.append(_case(VALUES, gen, batch, d, h))
    # reset gate placement: Z near 0 (H_new is the candidate), R near 1 on some units and near 0 on
    # others, and a strong W_hh, so (R * H) @ W_hh and R * (H @ W_hh) differ by O(1).
    for batch, d, h in ((2, 3, 4), (3, 2, 5)):
        cases.append(_case(RESET, gen, batch, d, h, b_z=-6.0, b_r=_alternating(gen, h, 5.0), hh_scale=1.5))
    # update gate direction: Z near 1 (H_new is nearly H), Z near 0 (nearly H_tilde), and mixed.
    for batch, d, h, b_z in ((1, 3, 3, 6.0), (2, 3, 4, -6.0), (3, 2, 4, None)):
        b = b_z if b_z is not None else _alternating(gen, h, 4.0)
        cases.append(_case(UPDATE, gen, batch, d, h, b_z=b))
    # parameter order: nine distinct tensors; square weights so that a wrong order still runs.
    for batch, d, h in ((2, 4, 4), (3, 3, 3), (2, 3, 5)):
        cases.append(_case(ORDER, gen, batch, d, h))
    # batch sizes: one example, and many.
    for batch, d, h in ((1, 3, 4), (16, 5, 6)):
        cases.append(_case(BATCH, gen, batch, d, h))
    # float64 in, float64 out.
    for batch, d, h in ((2, 3, 3), (3, 4, 5)):
        cases.append(_case(FLOAT64, gen, batch, d, h, dtype=torch.float64))
    return cases
