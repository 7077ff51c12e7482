"""Grader for dense_block (D2L 8.7): the `module` driver builds conv_block, DenseBlock and
transition_block, loads the reference's weights and running statistics by the book's names (the
positions in each nn.Sequential) and checks them in training and in evaluation mode, and the running
statistics that training-mode forwards leave in every batch norm."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.grading.layer_state import batch_norm_state, conv_state, module_spec

_HINTS = {
    "conv_block": "conv_block is nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(), "
                  "nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1)), in this order (D2L 8.7)",
    "concatenation": "for each block: Y = blk(X); X = torch.cat((X, Y), dim=1): the input first, the new "
                     "channels after it, and the next block sees the concatenation (D2L 8.7)",
    "transition_block": "transition_block is nn.Sequential(nn.BatchNorm2d(input_channels), nn.ReLU(), "
                        "nn.Conv2d(input_channels, num_channels, kernel_size=1), "
                        "nn.AvgPool2d(kernel_size=2, stride=2)) (D2L 8.7)",
    "evaluation mode": "after .eval() the batch norms use their running statistics: build them with "
                       "nn.BatchNorm2d and call them (D2L 8.5, 8.7)",
    "running statistics": "build every batch norm as nn.BatchNorm2d(input_channels) with the default momentum "
                          "(0.1) and call it once per forward: in training mode every forward moves its "
                          "running_mean and running_var towards the batch's statistics (D2L 8.5, 8.7)",
}


def _unit(gen, prefix, c_in, c_out, k, running, dtype):
    """The state of one BatchNorm2d-ReLU-Conv2d run, positions 0 and 2 of its Sequential."""
    return {**batch_norm_state(gen, f"{prefix}0", c_in, dtype, running),
            **conv_state(gen, f"{prefix}2", c_out, c_in, k, dtype)}


def _case(gen, prop, cls, args, shape, *, mode="train", dtype=torch.float32, extra=(), meta=False, buffers=False):
    running = mode == "eval" or buffers  # loaded running statistics, far from a batch's own
    n, c_in, h, w = shape
    if cls == "DenseBlock":
        num_convs, _, c = args
        state = {}
        for i in range(num_convs):
            state.update(_unit(gen, f"net.{i}.", c_in + i * c, c, 3, running, dtype))
        out = (n, c_in + num_convs * c, h, w)
    else:
        c = args[1]
        k = 3 if cls == "conv_block" else 1
        state = _unit(gen, "", c_in, c, k, running, dtype)
        out = (n, c, h, w) if cls == "conv_block" else (n, c, h // 2, w // 2)
    inputs = [torch.randn(*s, generator=gen, dtype=dtype) for s in (shape, *extra)]
    stats = [name for name in state if name.rsplit(".", 1)[-1] in ("running_mean", "running_var")]
    spec = module_spec(cls, args, {}, state, inputs, torch.randn(*out, generator=gen, dtype=dtype),
                       mode=mode, dtype=dtype, buffers=stats if buffers else None)
    where = " after .eval()" if mode == "eval" else " in training mode"
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_module,
                checks=driven.MODULE_CHECKS, meta=meta, hint=_HINTS[prop],
                label=f"{cls}({', '.join(map(str, args))}){where}, with the reference's weights, on X of "
                      f"shape {shape} {str(dtype)[6:]}")


def make_cases(gen: torch.Generator) -> list[Case]:
    return [
        _case(gen, "conv_block", "conv_block", (2, 3), (2, 2, 4, 4), meta=True),
        _case(gen, "conv_block", "conv_block", (3, 2), (2, 3, 3, 5), dtype=torch.float64),
        _case(gen, "concatenation", "DenseBlock", (1, 2, 3), (2, 2, 3, 4)),
        _case(gen, "concatenation", "DenseBlock", (3, 2, 2), (2, 2, 4, 3), extra=[(3, 2, 3, 3)]),
        _case(gen, "transition_block", "transition_block", (4, 3), (2, 4, 4, 4)),
        _case(gen, "transition_block", "transition_block", (3, 2), (2, 3, 5, 7)),
        # Two training-mode forwards from loaded running statistics, then every batch norm's.
        _case(gen, "running statistics", "DenseBlock", (2, 2, 2), (2, 2, 3, 4), extra=[(3, 2, 4, 3)], buffers=True),
        _case(gen, "running statistics", "transition_block", (3, 2), (2, 3, 4, 4), extra=[(3, 3, 2, 6)],
              buffers=True),
        _case(gen, "evaluation mode", "conv_block", (3, 2), (2, 3, 4, 4), mode="eval"),
        _case(gen, "evaluation mode", "DenseBlock", (2, 3, 2), (2, 3, 4, 4), mode="eval"),
        _case(gen, "evaluation mode", "transition_block", (3, 4), (2, 3, 4, 6), mode="eval"),
    ]
