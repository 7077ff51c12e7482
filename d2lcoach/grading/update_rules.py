"""Cases for the book's hand-written update rules (D2L 12.6-12.10's `train_ch11` shape):
`update(params, states, hyperparams)`, in place, over several steps, on the `steps` driver.

Each case carries the parameters, their states and the hyperparams dict as the driver's state, gives
the parameters fresh gradients before every call, and watches all three after every call: the values
of the parameters and states, the same tensors updated, gradients zeroed, no graph through the update,
and what the call left in `hyperparams` (Adam counts `t`). An end-to-end case also builds the states
with the learner's own `init_*_states`, the way the book's loop does.
"""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

#: The hint of every float64 case: the update must keep the parameters' dtype.
FLOAT64_HINT = "keep the parameters' dtype: no torch.tensor(..., dtype=torch.float32) or .float() in the update"
#: The book's linear-regression parameters: a (feature_dim, 1) weight and a (1,) bias.
BOOK_SHAPES = ((3, 1), (1,))


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _hp_text(hyperparams: dict) -> str:
    return "{" + ", ".join(f"'{k}': {v:g}" if isinstance(v, float) else f"'{k}': {v}"
                           for k, v in hyperparams.items()) + "}"


def _zero_states(shapes, per_param: int, dtype) -> tuple:
    """The book's initial states: zeros per parameter, one tensor each or a pair each."""
    if per_param == 1:
        return tuple(torch.zeros(s, dtype=dtype) for s in shapes)
    return tuple(tuple(torch.zeros(s, dtype=dtype) for _ in range(per_param)) for s in shapes)


def update_case(prop: str, gen: torch.Generator, *, function: str, hyperparams: dict, per_param: int = 1,
                shapes=BOOK_SHAPES, steps: int = 3, dtype=torch.float32, param_scale: float = 1.0,
                grad_scale: float = 1.0, meta: bool = False, hint: str = "", what: str = "") -> Case:
    """`steps` consecutive calls of `function(params, states, hyperparams)`, each after fresh gradients
    (drawn with scale `grad_scale`) were set; states start at zero, as the book's init makes them."""
    params = [torch.randn(s, generator=gen, dtype=torch.float64).mul(param_scale).to(dtype) for s in shapes]
    spec = {"driver": "steps",
            "env": {"params": params, "states": _zero_states(shapes, per_param, dtype),
                    "hyperparams": dict(hyperparams)},
            "leaves": ["params"], "watch": ["params", "states", "hyperparams"], "steps": []}
    for k in range(steps):
        grads = [torch.randn(s, generator=gen, dtype=torch.float64).mul(grad_scale).to(dtype) for s in shapes]
        spec["steps"] += [{"set_grad": "params", "value": grads, "label": f"gradients of step {k + 1} set"},
                          {"call": function, "args": [{"ref": "params"}, {"ref": "states"}, {"ref": "hyperparams"}],
                           "compare_output": False,
                           "label": f"call {k + 1} of {steps}: {function}(params, states, hyperparams)"}]
    shapes_text = ", ".join(str(tuple(s)) for s in shapes)
    label = (f"{steps} consecutive {function} calls ({what + '; ' if what else ''}params of shapes {shapes_text} "
             f"{_dtype_name(dtype)}, states from zero, hyperparams = {_hp_text(hyperparams)}, fresh gradients "
             "before each call)")
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_steps,
                checks=driven.STATE_CHECKS, meta=meta, hint=hint, label=label)


def loop_case(prop: str, gen: torch.Generator, *, init: str, function: str, hyperparams: dict,
              feature_dim: int = 4, steps: int = 3, hint: str = "") -> Case:
    """The book's loop end to end: states = init(feature_dim) (the learner's own), then `steps` updates
    of a (feature_dim, 1) weight and a (1,) bias. CPU and float32 only, as the book's init makes them."""
    shapes = ((feature_dim, 1), (1,))
    spec = {"driver": "steps",
            "env": {"params": [torch.randn(s, generator=gen) for s in shapes], "hyperparams": dict(hyperparams)},
            "leaves": ["params"], "watch": ["params", "hyperparams"],
            "steps": [{"call": init, "args": [feature_dim], "save": "states", "compare_output": False,
                       "label": f"states = {init}({feature_dim})"}]}
    for k in range(steps):
        spec["steps"] += [{"set_grad": "params", "value": [torch.randn(s, generator=gen) for s in shapes],
                           "label": f"gradients of step {k + 1} set"},
                          {"call": function, "args": [{"ref": "params"}, {"ref": "states"}, {"ref": "hyperparams"}],
                           "compare_output": False,
                           "label": f"call {k + 1} of {steps}: {function}(params, states, hyperparams)"}]
    label = (f"the book's loop: states = {init}({feature_dim}), then {steps} {function} calls on a "
             f"({feature_dim}, 1) weight and a (1,) bias, float32 on the CPU, hyperparams = {_hp_text(hyperparams)}")
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_steps,
                checks=driven.STATE_CHECKS, meta=False, devices=("cpu",), hint=hint, label=label)


def init_case(function: str, feature_dim: int, hint: str = "") -> Case:
    """One call of `init_*_states(feature_dim)`: the book's zeros, float32 on the CPU."""
    return Case(property="init states", function=function, args=(feature_dim,), names=("feature_dim",),
                label=f"{function}({feature_dim})", meta=False, devices=("cpu",), hint=hint)
