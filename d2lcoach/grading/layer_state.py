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


def linear_state(gen: torch.Generator, prefix: str, n_out: int, n_in: int, dtype, bias: bool = True) -> dict:
    """`prefix.weight` (n_out, n_in) and, with `bias`, `prefix.bias` (n_out,), keeping outputs O(1)."""
    state = {f"{prefix}.weight": torch.randn(n_out, n_in, generator=gen, dtype=dtype) / n_in ** 0.5}
    if bias:
        state[f"{prefix}.bias"] = torch.randn(n_out, generator=gen, dtype=dtype) * 0.3
    return state


def layer_norm_state(gen: torch.Generator, prefix: str, d: int, dtype) -> dict:
    """`prefix.weight` around 1 and `prefix.bias` around 0 (so a missing affine step shows)."""
    return {f"{prefix}.weight": torch.randn(d, generator=gen, dtype=dtype) * 0.5 + 1.0,
            f"{prefix}.bias": torch.randn(d, generator=gen, dtype=dtype) * 0.5}


def module_spec(cls: str, args, kwargs, state: dict, inputs: list, grad_output, *, mode: str, dtype,
                any_order: bool = False, extra_args: list | None = None, buffers: list | None = None) -> dict:
    """A `module` driver spec: gradients for the first input only; `extra_args`, one list per input,
    are the forward arguments after X; `buffers`: names of buffers also compared after the forwards."""
    spec = {"driver": "module", "class": cls, "init": {"args": list(args), "kwargs": dict(kwargs)},
            "state": state, "mode": mode, "dtype": str(dtype).replace("torch.", ""), "inputs": inputs,
            "grad_outputs": [grad_output] + [None] * (len(inputs) - 1)}
    if any_order:
        spec["any_order"] = True
    if extra_args is not None:
        spec["extra_args"] = extra_args
    if buffers:
        spec["buffers"] = list(buffers)
    return spec
