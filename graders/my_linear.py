"""Grader for my_linear (D2L 6.5): the `module` driver loads the reference's weights into MyLinear by
the book's names and checks registered parameters, outputs, gradients, float64 and a state_dict round trip."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case


def _case(gen, in_units, units, n, dtype=torch.float32, meta=True):
    def draw(*shape):
        return torch.randn(*shape, generator=gen, dtype=dtype)
    # Inputs with both signs, so relu clips some outputs and passes others.
    inputs = [draw(n, in_units), draw(n + 2, in_units)]
    spec = {"driver": "module", "class": "MyLinear", "init": {"args": [in_units, units]},
            "state": {"weight": draw(in_units, units), "bias": draw(units)},
            "dtype": str(dtype).replace("torch.", ""), "inputs": inputs,
            "grad_outputs": [draw(n, units), None]}
    return Case(property="values", args=(), kind="driver", spec=spec, compare=driven.compare_module,
                checks=driven.MODULE_CHECKS, meta=meta,
                label=f"MyLinear({in_units}, {units}) with the reference's weights, on X of shape "
                      f"({n}, {in_units}) {str(dtype)[6:]}",
                hint="forward(X) = relu(X @ self.weight + self.bias) with weight (in_units, units) (D2L 6.5)")


def make_cases(gen: torch.Generator) -> list[Case]:
    return [_case(gen, 2, 3, 4), _case(gen, 5, 3, 6, meta=False), _case(gen, 4, 1, 3, torch.float64, meta=False)]
