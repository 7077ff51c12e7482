"""Grader for lstm_cell (D2L 10.1): one LSTM step in the book's form: values, which gate scales the
old memory and which the candidate, the new hidden state from the new memory cell, the book's
parameter order, batch sizes, float64, and gradients to X, H, C and all twelve parameters.

Every case is lstm_cell(X, (H, C), params) with params a tuple of twelve tensors, so gradient paths
are (0,) for X, (1, 0) for H, (1, 1) for C and (2, k) for params[k]. Cases of "forget and input
gates" and "hidden state" push the gates towards 0 or 1 with their biases, so that the wrong form
differs from the book's by O(1) instead of by a few percent.
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close
from d2lcoach.grading.engine import compare_output

NAMES = ("X", "state", "params")
OUTPUTS = ("H_new", "C_new")

VALUES = "values"
GATES = "forget and input gates"
HIDDEN = "hidden state"
ORDER = "parameter order"
BATCH = "batch sizes"
FLOAT64 = "float64"

HINTS = {
    VALUES: "D2L 10.1: I, F and O are sigmoid(X @ W_x? + H @ W_h? + b_?), C_tilde = tanh(X @ W_xc + H @ W_hc + b_c), "
            "C_new = F * C + I * C_tilde, H_new = O * tanh(C_new). Return (H_new, C_new), in that order.",
    GATES: "The forget gate scales the old memory and the input gate the candidate: C_new = F * C + I * C_tilde. "
           "F near 1 keeps the old memory cell.",
    HIDDEN: "The new hidden state reads the new memory cell through a tanh: H_new = O * torch.tanh(C_new), "
            "not O * C_new and not the old C.",
    ORDER: "Unpack the parameters in the book's order: W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, "
           "W_hc, b_c = params (input, forget, output gate, then the candidate). nn.LSTMCell stacks i, f, g, o.",
    BATCH: "Every row of X, H and C is one example: the matrix products keep the batch dimension first, and the "
           "biases (num_hiddens,) broadcast over it. A batch of one is still 2-D.",
    FLOAT64: "float64 input is checked at float64 precision (about 1e-9): compute in X's dtype, with no .float() "
             "on the way.",
}


def _compare(expected, actual, case, device):
    """(H_new, C_new), each named in the messages."""
    if not isinstance(actual, (tuple, list)) or len(actual) != 2:
        return compare_output(expected, actual, case, device, "the result (H_new, C_new)")
    found = []
    for name, want, got in zip(OUTPUTS, expected, actual):
        found += compare_output(want, got, case, device, name)
    return found


def _alternating(gen, h, size):
    """+size or -size per hidden unit, at least one of each: a gate near 1 on some units, near 0 on others."""
    signs = torch.where(torch.rand(h, generator=gen) < 0.5, 1.0, -1.0)
    signs[0], signs[1] = 1.0, -1.0
    return signs * size


def _case(prop, gen, batch, d, h, dtype=torch.float32, c_scale=1.0, biases=None):
    """biases: {gate: value added to its bias}, gate one of "i", "f", "o", "c"."""
    def w(rows):
        return torch.randn(rows, h, generator=gen, dtype=dtype) * (1.5 / rows ** 0.5)

    params = []
    for gate in "ifoc":
        b = torch.randn(h, generator=gen, dtype=dtype) * 0.5
        if biases and gate in biases:
            b = b * 0.1 + torch.as_tensor(biases[gate], dtype=dtype)
        params += [w(d), w(h), b]
    X = torch.randn(batch, d, generator=gen, dtype=dtype)
    H = torch.randn(batch, h, generator=gen, dtype=dtype) * 0.8
    C = torch.randn(batch, h, generator=gen, dtype=dtype) * c_scale
    grad = ((0,), (1, 0), (1, 1)) + tuple((2, k) for k in range(12))
    outputs = [torch.randn(batch, h, generator=gen, dtype=dtype) for _ in OUTPUTS]
    return Case(property=prop, args=(X, (H, C), tuple(params)), names=NAMES, label="lstm_cell(X, (H, C), params)",
                grad=grad, grad_outputs=outputs, compare=_compare, hint=HINTS[prop], checks=("shape", "dtype"))


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # values: the book's formulas on random inputs, square and non-square weights.
    for batch, d, h in ((2, 3, 4), (3, 4, 4), (4, 5, 3)):
        cases.append(_case(VALUES, gen, batch, d, h))
    # forget and input gates: on each unit one gate near 1 and the other near 0, so C_new is nearly
    # the old C on some units and nearly C_tilde on others; a large old C sets them apart.
    for batch, d, h in ((2, 3, 4), (3, 2, 5)):
        f = _alternating(gen, h, 6.0)
        cases.append(_case(GATES, gen, batch, d, h, c_scale=2.5, biases={"f": f, "i": -f}))
    # hidden state: O near 1 and a large memory that the forget gate keeps (tanh(C_new) is far from
    # C_new), then a memory that the forget gate drops (C_new is far from the old C).
    cases.append(_case(HIDDEN, gen, 2, 3, 4, c_scale=3.0, biases={"o": 6.0, "f": 6.0, "i": -6.0}))
    cases.append(_case(HIDDEN, gen, 3, 2, 4, c_scale=3.0, biases={"o": 6.0, "f": -6.0, "i": 6.0}))
    # parameter order: twelve distinct tensors; square weights too, so that any order runs.
    for batch, d, h in ((2, 4, 4), (3, 3, 3), (2, 3, 5)):
        cases.append(_case(ORDER, gen, batch, d, h))
    # batch sizes: one example, and many.
    for batch, d, h in ((1, 3, 4), (16, 5, 6)):
        cases.append(_case(BATCH, gen, batch, d, h))
    # float64 in, float64 out.
    for batch, d, h in ((2, 3, 3), (3, 4, 5)):
        cases.append(_case(FLOAT64, gen, batch, d, h, dtype=torch.float64))
    return cases


def _only_hidden_wrong(expected, actual, case) -> bool:
    """C_new is right and H_new is not: the bug is in H_new = O * tanh(C_new), whatever the case tests."""
    return (isinstance(actual, (tuple, list)) and len(actual) == 2
            and close(actual[1], expected[1]) and not close(actual[0], expected[0]))


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    Diagnosis(when=_only_hidden_wrong, hint="C_new is right but H_new is not. " + HINTS[HIDDEN]),
)
