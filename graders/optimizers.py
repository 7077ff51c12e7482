"""Grader for optimizers (D2L 12.6-12.8): the book's init_*_states, and sgd_momentum, adagrad and
rmsprop over several steps on the `steps` driver (parameters and states after every call, the same
tensors updated, gradients zeroed, no graph through the update, hyperparams untouched), with eps
inside the square root shown by tiny gradients, float64, and the book's loop with the learner's init."""

from __future__ import annotations

import torch

from d2lcoach.grading.update_rules import FLOAT64_HINT, init_case, loop_case, update_case

HINTS = {
    "init states": "return (torch.zeros((feature_dim, 1)), torch.zeros(1)): two new zero tensors, float32 on the "
                   "CPU, shaped like the book's weight and bias",
    "sgd_momentum": "for p, v in zip(params, states): under torch.no_grad(), v[:] = momentum * v + p.grad, then "
                    "p[:] -= lr * v; afterwards p.grad.zero_() (D2L 12.6). The velocity sums gradients: no "
                    "(1 - momentum) factor",
    "adagrad": "s[:] += p.grad ** 2, then p[:] -= lr * p.grad / torch.sqrt(s + eps) with eps = 1e-6, under "
               "torch.no_grad(); then p.grad.zero_() (D2L 12.7). s accumulates over every step",
    "rmsprop": "s[:] = gamma * s + (1 - gamma) * p.grad ** 2 (gamma weights the old state), then "
               "p[:] -= lr * p.grad / torch.sqrt(s + eps) with eps = 1e-6; then p.grad.zero_() (D2L 12.8)",
    "eps inside the square root": "the book divides by torch.sqrt(s + eps), eps = 1e-6 inside the root; "
                                  "torch.optim's sqrt(s) + eps differs a lot when the gradients are tiny",
    "float64": FLOAT64_HINT,
    "the book's loop": "states = init_*_states(feature_dim) must give one new zero tensor per parameter, shaped "
                       "like it, and the update must keep using those same state tensors from step to step",
}


def make_cases(gen: torch.Generator) -> list:
    f64 = torch.float64
    momentum = {"lr": 0.05, "momentum": 0.9}
    return [
        init_case("init_momentum_states", 3, HINTS["init states"]),
        init_case("init_adagrad_states", 5, HINTS["init states"]),
        init_case("init_rmsprop_states", 2, HINTS["init states"]),
        update_case("sgd_momentum", gen, function="sgd_momentum", hyperparams={"lr": 0.1, "momentum": 0.5},
                    meta=True, hint=HINTS["sgd_momentum"]),
        update_case("sgd_momentum", gen, function="sgd_momentum", hyperparams=momentum, steps=4,
                    hint=HINTS["sgd_momentum"]),
        update_case("adagrad", gen, function="adagrad", hyperparams={"lr": 0.1}, meta=True, hint=HINTS["adagrad"]),
        update_case("adagrad", gen, function="adagrad", hyperparams={"lr": 0.4}, steps=4, shapes=((5, 1), (1,)),
                    hint=HINTS["adagrad"]),
        update_case("rmsprop", gen, function="rmsprop", hyperparams={"lr": 0.01, "gamma": 0.9}, meta=True,
                    hint=HINTS["rmsprop"]),
        update_case("rmsprop", gen, function="rmsprop", hyperparams={"lr": 0.05, "gamma": 0.7}, steps=4,
                    hint=HINTS["rmsprop"]),
        # Gradients of about 1e-4: s is about 1e-8, so sqrt(s + 1e-6) and sqrt(s) + 1e-6 differ tenfold.
        update_case("eps inside the square root", gen, function="adagrad", hyperparams={"lr": 0.1},
                    grad_scale=1e-4, hint=HINTS["eps inside the square root"], what="tiny gradients"),
        update_case("eps inside the square root", gen, function="rmsprop", hyperparams={"lr": 0.01, "gamma": 0.9},
                    grad_scale=1e-4, hint=HINTS["eps inside the square root"], what="tiny gradients"),
        update_case("float64", gen, function="sgd_momentum", hyperparams=momentum, dtype=f64, hint=HINTS["float64"]),
        update_case("float64", gen, function="adagrad", hyperparams={"lr": 0.1}, dtype=f64, hint=HINTS["float64"]),
        update_case("float64", gen, function="rmsprop", hyperparams={"lr": 0.01, "gamma": 0.9}, dtype=f64,
                    hint=HINTS["float64"]),
        loop_case("the book's loop", gen, init="init_momentum_states", function="sgd_momentum",
                  hyperparams=momentum, hint=HINTS["the book's loop"]),
        loop_case("the book's loop", gen, init="init_adagrad_states", function="adagrad",
                  hyperparams={"lr": 0.1}, hint=HINTS["the book's loop"]),
        loop_case("the book's loop", gen, init="init_rmsprop_states", function="rmsprop",
                  hyperparams={"lr": 0.01, "gamma": 0.9}, hint=HINTS["the book's loop"]),
    ]
