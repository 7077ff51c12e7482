"""Grader for residual_block (D2L 8.6): the `module` driver loads the reference's weights and running
statistics into Residual by the book's names and checks it in training and in evaluation mode, and
the running statistics that training-mode forwards leave in bn1 and bn2."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.layer_state import batch_norm_state, conv_state, module_spec

_HINTS = {
    "values": "forward is relu(bn2(conv2(relu(bn1(conv1(X))))) + X): 3x3 convolutions with padding 1, "
              "a ReLU between the two, and the last ReLU after the addition; with use_1x1conv the "
              "shortcut is conv3(X) (D2L 8.6)",
    "stride and shortcut": "with use_1x1conv the shortcut is conv3(X), a 1x1 convolution with stride "
                           "`strides`; the stride is on conv1 and conv3, never on conv2 (D2L 8.6)",
    "evaluation mode": "after .eval() the batch norms use their running statistics: call self.bn1 and "
                       "self.bn2 (nn.BatchNorm2d) rather than normalising by hand (D2L 8.5, 8.6)",
    "running statistics": "build bn1 and bn2 as nn.BatchNorm2d(num_channels) with the default momentum "
                          "(0.1) and call each once per forward: in training mode every forward moves their "
                          "running_mean and running_var towards the batch's statistics (D2L 8.5, 8.6)",
}


def _state(gen, c_in, c, use_1x1conv, running, dtype):
    state = {**conv_state(gen, "conv1", c, c_in, 3, dtype), **conv_state(gen, "conv2", c, c, 3, dtype)}
    if use_1x1conv:
        state.update(conv_state(gen, "conv3", c, c_in, 1, dtype))
    for bn in ("bn1", "bn2"):
        state.update(batch_norm_state(gen, bn, c, dtype, running))
    return state


def _case(gen, prop, args, kwargs, shapes, *, mode="train", dtype=torch.float32, meta=False, buffers=False):
    c_in, c = args[0], args[1]
    use_1x1conv = kwargs.get("use_1x1conv", args[2] if len(args) > 2 else False)
    strides = kwargs.get("strides", args[3] if len(args) > 3 else 1)
    inputs = [torch.randn(*shape, generator=gen, dtype=dtype) for shape in shapes]
    n, _, h, w = shapes[0]
    grad_output = torch.randn(n, c, (h - 1) // strides + 1, (w - 1) // strides + 1, generator=gen, dtype=dtype)
    running = mode == "eval" or buffers  # loaded running statistics, far from a batch's own
    spec = module_spec("Residual", args, kwargs, _state(gen, c_in, c, use_1x1conv, running, dtype),
                       inputs, grad_output, mode=mode, dtype=dtype, any_order=True,
                       buffers=[f"{bn}.running_{s}" for bn in ("bn1", "bn2") for s in ("mean", "var")] if buffers else None)
    call = ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())])
    where = " after .eval()" if mode == "eval" else " in training mode"
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_module,
                checks=driven.MODULE_CHECKS, meta=meta, hint=_HINTS[prop],
                label=f"Residual({call}){where}, with the reference's weights, on X of shape "
                      f"{tuple(shapes[0])} {str(dtype)[6:]}")


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        _case(gen, "values", (3, 3), {}, [(2, 3, 4, 4), (3, 3, 5, 3)], meta=True),
        _case(gen, "values", (3, 3), {"use_1x1conv": True}, [(2, 3, 4, 5)]),
        _case(gen, "values", (3, 3), {}, [(2, 3, 3, 4)], dtype=torch.float64),
        _case(gen, "stride and shortcut", (3, 5), {"use_1x1conv": True, "strides": 2}, [(2, 3, 6, 5), (2, 3, 5, 5)]),
        _case(gen, "stride and shortcut", (2, 3, True, 3), {}, [(2, 2, 7, 6)]),
        # Two training-mode forwards from loaded running statistics, then bn1's and bn2's buffers.
        _case(gen, "running statistics", (3, 3), {}, [(2, 3, 4, 4), (3, 3, 3, 5)], buffers=True),
        _case(gen, "evaluation mode", (3, 3), {}, [(2, 3, 4, 4)], mode="eval"),
        _case(gen, "evaluation mode", (2, 4, True, 2), {}, [(1, 2, 5, 4), (3, 2, 4, 4)], mode="eval"),
    ]
