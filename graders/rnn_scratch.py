"""Grader for rnn_scratch (D2L 9.5): the book's rnn over every time step (values, the state carried
from step to step, time as the first axis, the returned state, batch sizes, float64, gradients through
every step) and grad_clipping (one global norm over all the gradients, in place, only above theta).

rnn cases are plain calls rnn(inputs, (H,), params): gradient paths (0,) for inputs, (1, 0) for H
and (2, k) for params[k]. grad_clipping cases run on the steps driver: the parameters' gradients are
set, grad_clipping(params, theta) is called, and the parameters (values and gradients) are read back.
The gradients are drawn with fixed norms, so every seed holds a case where every parameter's own norm
is below theta while their global norm is above it, and one where a norm per parameter clips only some.
"""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.engine import compare_output

NAMES = ("inputs", "state", "params")

VALUES = "values"
RECURRENCE = "state carried across steps"
TIME_AXIS = "time axis first"
BATCH = "batch sizes"
FLOAT64 = "float64"
GLOBAL = "global norm"
BELOW = "no clipping below theta"
REPEATED = "repeated clipping"

HINTS = {
    VALUES: "D2L 9.5: for X in inputs: H = torch.tanh(X @ W_xh + H @ W_hh + b_h); Y = H @ W_hq + b_q. "
            "Collect every Y and return torch.cat(outputs, dim=0), (H,).",
    RECURRENCE: "Each step starts from the H of the step before: assign the new H back to the same name inside "
                "the loop, and return the H of the last step as the state.",
    TIME_AXIS: "inputs is (num_steps, batch, vocab): `for X in inputs` walks over time. Do not transpose it first; "
               "the book's X.T happens before the one-hot encoding, outside rnn.",
    BATCH: "Every row of X and H is one example; the outputs stack the steps along the rows with "
           "torch.cat(outputs, dim=0), (num_steps * batch, num_outputs).",
    FLOAT64: "float64 input is checked at float64 precision: compute in the inputs' dtype, with no .float().",
    GLOBAL: "One norm over all the gradients together: norm = torch.sqrt(sum((p.grad ** 2).sum() for p in params)), "
            "then every p.grad *= theta / norm. A norm per parameter changes the direction of the whole gradient.",
    BELOW: "Clip only when the global norm exceeds theta (if norm > theta: ...); smaller gradients stay exactly "
           "as they are.",
    REPEATED: "Work in place on each p.grad (p.grad[:] *= theta / norm) and leave the parameters themselves alone; "
              "compute the norm afresh on every call.",
}


def _compare_rnn(expected, actual, case, device):
    """(outputs, (H,)): the outputs, then the state (a one-element tuple), each named in the messages."""
    if not isinstance(actual, (tuple, list)) or len(actual) != 2:
        return compare_output(expected, actual, case, device, "the result (outputs, (H,))")
    return (compare_output(expected[0], actual[0], case, device, "the outputs")
            + compare_output(expected[1], actual[1], case, device, "the state (H,)"))


def _rnn_params(gen, vocab, h, q, dtype, hh_scale):
    def w(rows, cols, scale=1.5):
        return torch.randn(rows, cols, generator=gen, dtype=dtype) * (scale / rows ** 0.5)

    return (w(vocab, h), w(h, h, hh_scale), torch.randn(h, generator=gen, dtype=dtype) * 0.5,
            w(h, q), torch.randn(q, generator=gen, dtype=dtype) * 0.5)


def _rnn_case(prop, gen, steps, batch, vocab, h, q=None, dtype=torch.float32, one_hot=False, hh_scale=1.5):
    q = vocab if q is None else q
    if one_hot:  # the book's inputs: F.one_hot(X.T, vocab) of token indices
        tokens = torch.randint(vocab, (steps, batch), generator=gen)
        inputs = torch.nn.functional.one_hot(tokens, vocab).to(dtype)
    else:
        inputs = torch.randn(steps, batch, vocab, generator=gen, dtype=dtype)
    H = torch.randn(batch, h, generator=gen, dtype=dtype) * 0.8
    params = _rnn_params(gen, vocab, h, q, dtype, hh_scale)
    grad_outputs = [torch.randn(steps * batch, q, generator=gen, dtype=dtype), torch.randn(batch, h, generator=gen, dtype=dtype)]
    return Case(property=prop, function="rnn", args=(inputs, (H,), params), names=NAMES,
                label=f"rnn(inputs of shape ({steps}, {batch}, {vocab}), (H,), params)",
                grad=((0,), (1, 0)) + tuple((2, k) for k in range(5)), grad_outputs=grad_outputs,
                compare=_compare_rnn, hint=HINTS[prop], checks=("shape", "dtype"))


def _with_norms(gen, shapes, norms, dtype):
    """Random gradients of the given shapes, each scaled to exactly the given norm."""
    grads = []
    for shape, norm in zip(shapes, norms):
        g = torch.randn(shape, generator=gen, dtype=torch.float64)
        grads.append((g * (norm / g.norm())).to(dtype))
    return grads


#: The structural checks of the steps driver that clipping answers to (its gradients are not zeroed).
CLIP_CHECKS = ("same tensors updated", "no graph through the update")


def _compare_clipping(expected, actual, case, device):
    """compare_steps, with a wrong gradient reported under the case's property (clipping is about gradients)."""
    return [(case.property if name == "gradients" else name, message)
            for name, message in driven.compare_steps(expected, actual, case, device)]


def _clip_case(prop, gen, shapes, calls, dtype=torch.float32):
    """calls: [(per-parameter gradient norms, theta)], one grad_clipping call each, after fresh gradients."""
    params = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
    spec = {"driver": "steps", "env": {"params": params}, "leaves": ["params"], "watch": ["params"], "steps": []}
    described = []
    for k, (norms, theta) in enumerate(calls):
        total = sum(n * n for n in norms) ** 0.5
        spec["steps"] += [{"set_grad": "params", "value": _with_norms(gen, shapes, norms, dtype),
                           "label": f"gradients set, with norms {', '.join(f'{n:g}' for n in norms)} "
                                    f"(global norm {total:g})"},
                          {"call": "grad_clipping", "args": [{"ref": "params"}, theta], "compare_output": False,
                           "label": f"grad_clipping(params, {theta!r})"}]
        described.append(f"norms {', '.join(f'{n:g}' for n in norms)} with theta {theta:g}")
    shapes_text = ", ".join(str(tuple(s)) for s in shapes)
    label = (f"grad_clipping on parameters of shapes {shapes_text} ({str(dtype).replace('torch.', '')}), "
             f"{'; then '.join(described)}")
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=_compare_clipping,
                checks=CLIP_CHECKS, meta=False, hint=HINTS[prop], label=label)


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = []
    # rnn, values: random inputs and the book's one-hot inputs.
    cases.append(_rnn_case(VALUES, gen, 1, 2, 3, 4))
    cases.append(_rnn_case(VALUES, gen, 3, 2, 5, 4, one_hot=True))
    cases.append(_rnn_case(VALUES, gen, 4, 3, 4, 6, q=3))
    # the state carried across steps: a strong W_hh over several steps.
    cases.append(_rnn_case(RECURRENCE, gen, 5, 2, 3, 4, hh_scale=2.5))
    cases.append(_rnn_case(RECURRENCE, gen, 6, 1, 4, 3, one_hot=True, hh_scale=2.5))
    # time first: as many steps as examples, so walking the wrong axis still fits every shape.
    cases.append(_rnn_case(TIME_AXIS, gen, 3, 3, 4, 4))
    cases.append(_rnn_case(TIME_AXIS, gen, 4, 4, 3, 5, one_hot=True))
    # batch sizes: one example, and many.
    cases.append(_rnn_case(BATCH, gen, 2, 1, 3, 4))
    cases.append(_rnn_case(BATCH, gen, 3, 16, 5, 6))
    # float64.
    cases.append(_rnn_case(FLOAT64, gen, 3, 2, 4, 5, dtype=torch.float64))
    # grad_clipping, global norm: each norm below theta but the global norm 5 above it; then norms
    # 3, 4, 12 (global 13) with theta 5, where a norm per parameter would clip only the third.
    cases.append(_clip_case(GLOBAL, gen, ((2, 2), (3,)), [((3.0, 4.0), 4.5)]))
    cases.append(_clip_case(GLOBAL, gen, ((3, 2), (2,), (4, 1)), [((3.0, 4.0, 12.0), 5.0)]))
    # no clipping below theta: a global norm of 2 against theta 5, and 0.3 against theta 1 (the book's).
    cases.append(_clip_case(BELOW, gen, ((2, 3), (3,)), [((1.2, 1.6), 5.0)]))
    cases.append(_clip_case(BELOW, gen, ((4,), (2, 2)), [((0.18, 0.24), 1)]))
    # repeated clipping: above, below, above theta, on the same parameters; float64 too.
    cases.append(_clip_case(REPEATED, gen, ((2, 2), (2,)), [((6.0, 8.0), 1.0), ((0.3, 0.4), 1.0), ((2.0, 1.0), 2.0)]))
    cases.append(_clip_case(REPEATED, gen, ((3, 2), (2,), (2, 2)), [((1.0, 2.0, 2.0), 1.5), ((0.5, 0.5, 0.5), 1.5)],
                            dtype=torch.float64))
    return cases
