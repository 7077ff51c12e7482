"""Grader for linear_regression (D2L 3.2 and 3.4): linreg and squared_loss as calls, sgd and the book's
training loop over several steps with the `steps` driver (the same tensors updated, gradients zeroed,
no graph through the update), y as a column, a vector or a row."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

_LOOP_HINT = ("the loop is l = squared_loss(linreg(X, w, b), y); l.sum().backward(); sgd([w, b], lr, "
              "batch_size): check each of the three against its contract (D2L 3.4)")


def _linreg(gen, n, d, dtype, prop="linreg"):
    X = torch.randn(n, d, generator=gen, dtype=dtype)
    w = torch.randn(d, 1, generator=gen, dtype=dtype)
    b = torch.randn(1, generator=gen, dtype=dtype)
    return Case(property=prop, args=(X, w, b), function="linreg", names=("X", "w", "b"),
                label="linreg(X, w, b)", grad=((0,), (1,), (2,)),
                grad_outputs=[torch.randn(n, 1, generator=gen, dtype=dtype)],
                hint="X @ w + b: (n, d) @ (d, 1) gives (n, 1), and b broadcasts (D2L 3.2)")


def _loss(gen, n, y_shape, dtype, prop="squared_loss", y_hat_shape=None):
    y_hat = torch.randn(y_hat_shape or (n, 1), generator=gen, dtype=dtype)
    y = torch.randn(y_shape, generator=gen, dtype=dtype)
    return Case(property=prop, args=(y_hat, y), function="squared_loss", names=("y_hat", "y"),
                label=f"squared_loss(y_hat, y) with y shaped {tuple(y_shape)}", grad=((0,),),
                grad_outputs=[torch.randn(y_hat.shape, generator=gen, dtype=dtype)],
                hint="(y_hat - y.reshape(y_hat.shape)) ** 2 / 2, one value per example: reshape y to "
                     "y_hat's shape, and do not sum or average (D2L 3.2)")


def _sgd_case(gen, shapes, lr, batch_size, steps, dtype, meta=False):
    params = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
    spec = {"driver": "steps", "env": {"params": params}, "leaves": ["params"], "watch": ["params"],
            "steps": []}
    for _ in range(steps):
        grads = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
        spec["steps"] += [{"set_grad": "params", "value": grads},
                          {"call": "sgd", "args": [{"ref": "params"}, lr, batch_size], "compare_output": False,
                           "label": f"sgd(params, lr={lr:g}, batch_size={batch_size})"}]
    shapes_text = ", ".join(str(tuple(s)) for s in shapes)
    return Case(property="sgd", args=(), kind="driver", spec=spec, compare=driven.compare_steps,
                checks=driven.STATE_CHECKS, meta=meta,
                label=f"{steps} sgd steps on params of shapes {shapes_text} {str(dtype)[6:]}, each after "
                      "its gradients were set",
                hint="param -= lr * param.grad / batch_size inside torch.no_grad(), then param.grad.zero_()")


def _loop_case(gen, n_batches, batch_size, d, lr, dtype, y_shapes):
    true_w = torch.randn(d, 1, generator=gen, dtype=dtype)
    spec = {"driver": "steps", "env": {"w": torch.randn(d, 1, generator=gen, dtype=dtype) * 0.01,
                                       "b": torch.zeros(1, dtype=dtype)},
            "leaves": ["w", "b"], "watch": ["w", "b"], "steps": []}
    for k in range(n_batches):
        X = torch.randn(batch_size, d, generator=gen, dtype=dtype)
        y = (X @ true_w + 4.2 + 0.01 * torch.randn(batch_size, 1, generator=gen, dtype=dtype))
        y = y.reshape(y_shapes[k % len(y_shapes)])
        spec["steps"] += [
            {"call": "linreg", "args": [X, {"ref": "w"}, {"ref": "b"}], "save": "y_hat",
             "label": f"batch {k + 1}: y_hat = linreg(X, w, b)"},
            {"call": "squared_loss", "args": [{"ref": "y_hat"}, y], "save": "l",
             "label": f"batch {k + 1}: l = squared_loss(y_hat, y) with y shaped {tuple(y.shape)}"},
            {"backward": "l", "label": f"batch {k + 1}: l.sum().backward()"},
            {"call": "sgd", "args": [[{"ref": "w"}, {"ref": "b"}], lr, batch_size], "compare_output": False,
             "label": f"batch {k + 1}: sgd([w, b], lr={lr:g}, batch_size={batch_size})"}]
    return Case(property="training loop", args=(), kind="driver", spec=spec, compare=driven.compare_steps,
                checks=driven.STATE_CHECKS, meta=False, hint=_LOOP_HINT,
                label=f"the book's training loop over {n_batches} minibatches of {batch_size} examples "
                      f"with {d} features, {str(dtype)[6:]}")


def make_cases(gen: torch.Generator) -> list[Case]:
    f32, f64 = torch.float32, torch.float64
    return [
        _linreg(gen, 3, 2, f32), _linreg(gen, 10, 4, f32), _linreg(gen, 5, 3, f64),
        _loss(gen, 3, (3, 1), f32), _loss(gen, 4, (4,), f32), _loss(gen, 5, (1, 5), f32),
        _loss(gen, 6, (6,), f64),
        _loss(gen, 4, (4, 1), f32, y_hat_shape=(4,)),  # y takes y_hat's shape, whatever that is
        _sgd_case(gen, [(2, 1), (1,)], 0.1, 2, 2, f32, meta=True),
        _sgd_case(gen, [(3, 1), (1,)], 0.03, 10, 3, f64),
        _loop_case(gen, 3, 4, 2, 0.03, f32, [(4, 1), (4,), (1, 4)]),
        _loop_case(gen, 4, 10, 3, 0.1, f64, [(10, 1), (10,)]),
    ]
