"""Random weights for graders of the `module` driver, named as torch's layers name them.

A grader describes a module's layers by their state_dict prefix; these helpers draw the values
from the grader's generator, so the reference and the submission are loaded with the same weights.
"""

from __future__ import annotations

import torch


def conv_state(gen: torch.Generator, prefix: str, c_out: int, c_in: int, k: int, dtype) -> dict:
    """`prefix.weight` (c_out, c_in, k, k) and `prefix.bias` (c_out,), of a size that keeps outputs O(1)."""
    scale = 1.0 / (c_in * k * k) ** 0.5
    return {f"{prefix}.weight": torch.randn(c_out, c_in, k, k, generator=gen, dtype=dtype) * scale * 1.5,
            f"{prefix}.bias": torch.randn(c_out, generator=gen, dtype=dtype) * 0.3}


def batch_norm_state(gen: torch.Generator, prefix: str, c: int, dtype, running: bool) -> dict:
    """`prefix.weight` around 1 and `prefix.bias` around 0; with `running`, running statistics far
    from a batch's own (so evaluation mode cannot pass on the batch's statistics)."""
    state = {f"{prefix}.weight": torch.randn(c, generator=gen, dtype=dtype) * 0.5 + 1.0,
             f"{prefix}.bias": torch.randn(c, generator=gen, dtype=dtype) * 0.5}
    if running:
        state[f"{prefix}.running_mean"] = torch.randn(c, generator=gen, dtype=dtype) * 0.5
        state[f"{prefix}.running_var"] = torch.rand(c, generator=gen, dtype=dtype) * 2 + 0.5
    return state


def module_spec(cls: str, args, kwargs, state: dict, inputs: list, grad_output, *, mode: str, dtype,
                any_order: bool = False) -> dict:
    """A `module` driver spec: gradients for the first input only."""
    spec = {"driver": "module", "class": cls, "init": {"args": list(args), "kwargs": dict(kwargs)},
            "state": state, "mode": mode, "dtype": str(dtype).replace("torch.", ""), "inputs": inputs,
            "grad_outputs": [grad_output] + [None] * (len(inputs) - 1)}
    if any_order:
        spec["any_order"] = True
    return spec
