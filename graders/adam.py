"""Grader for adam (D2L 12.9-12.10, plus AdamW): init_adadelta_states and init_adam_states, and adadelta,
adam and adamw over several steps on the `steps` driver (parameters, both states and hyperparams['t'] after
every call, in place, gradients zeroed), with eps placement shown by tiny gradients, AdamW told apart from
Adam with L2 by a large weight decay on large parameters, float64, and the book's loop with the learner's
own init (states that share one tensor show there)."""

from __future__ import annotations

import torch

from d2lcoach.grading.diagnosis import Diagnosis, close
from d2lcoach.grading.update_rules import FLOAT64_HINT, init_case, loop_case, update_case

HINTS = {
    "init states": "return ((torch.zeros((feature_dim, 1)), torch.zeros((feature_dim, 1))), (torch.zeros(1), "
                   "torch.zeros(1))): four new zero tensors, float32 on the CPU",
    "adadelta": "s[:] = rho * s + (1 - rho) * g ** 2; g2 = torch.sqrt(delta + eps) / torch.sqrt(s + eps) * g; "
                "p[:] -= g2; delta[:] = rho * delta + (1 - rho) * g2 ** 2, eps = 1e-5, no learning rate; then "
                "p.grad.zero_() (D2L 12.9)",
    "adam": "v and s are leaky averages of g and g ** 2 (beta1 = 0.9, beta2 = 0.999); divide them by 1 - beta1 ** t "
            "and 1 - beta2 ** t, step p[:] -= lr * v_hat / (torch.sqrt(s_hat) + eps) with eps = 1e-6, zero the "
            "gradients, and count hyperparams['t'] += 1 once, after the loop over the parameters (D2L 12.10)",
    "bias correction by t": "use t = hyperparams['t'] for every parameter of this call, then hyperparams['t'] += 1 "
                            "once per call (after the loop, not inside it)",
    "eps outside the square root": "Adam divides by torch.sqrt(s_hat) + eps, eps = 1e-6 outside the root "
                                   "(unlike Adagrad and RMSProp); it matters when the gradients are tiny",
    "adamw": "AdamW is Adam on the plain gradient plus a separate decay: p[:] -= lr * (v_hat / (torch.sqrt(s_hat) + "
             "eps) + wd * p), with p as it was before this step; count t up like adam",
    "decoupled weight decay": "do not add wd * p to the gradient (that is Adam with L2 regularisation: the decay then "
                              "passes through v and s); subtract lr * wd * p beside the Adam step, using p from "
                              "before the step",
    "float64": FLOAT64_HINT,
    "the book's loop": "init_*_states must return four separate zero tensors: v_w = s_w = torch.zeros(...) makes "
                       "the two states one tensor, and each update then overwrites the other",
}


def make_cases(gen: torch.Generator) -> list:
    f64 = torch.float64
    return [
        init_case("init_adadelta_states", 3, HINTS["init states"]),
        init_case("init_adam_states", 4, HINTS["init states"]),
        update_case("adadelta", gen, function="adadelta", hyperparams={"rho": 0.9}, per_param=2, meta=True,
                    hint=HINTS["adadelta"]),
        update_case("adadelta", gen, function="adadelta", hyperparams={"rho": 0.6}, per_param=2, steps=4,
                    grad_scale=3.0, hint=HINTS["adadelta"]),
        update_case("adam", gen, function="adam", hyperparams={"lr": 0.1, "t": 1}, per_param=2, meta=True,
                    hint=HINTS["adam"]),
        update_case("adam", gen, function="adam", hyperparams={"lr": 0.05, "t": 1}, per_param=2, steps=4,
                    shapes=((5, 1), (1,)), hint=HINTS["adam"]),
        # Started at t = 3, as after two earlier steps: the correction must read t, not count on its own.
        update_case("bias correction by t", gen, function="adam", hyperparams={"lr": 0.1, "t": 3}, per_param=2,
                    hint=HINTS["bias correction by t"], what="t starts at 3"),
        # Gradients of about 1e-5: sqrt(s_hat) is about 1e-5, so eps = 1e-6 inside or outside differs.
        update_case("eps outside the square root", gen, function="adam", hyperparams={"lr": 0.1, "t": 1},
                    per_param=2, grad_scale=1e-5, hint=HINTS["adam"], what="tiny gradients"),
        update_case("adadelta", gen, function="adadelta", hyperparams={"rho": 0.9},
                    per_param=2, grad_scale=1e-4, hint=HINTS["adadelta"], what="tiny gradients"),
        update_case("adamw", gen, function="adamw", hyperparams={"lr": 0.1, "t": 1, "wd": 0.01}, per_param=2,
                    meta=True, hint=HINTS["adamw"]),
        # Large parameters and decay with small gradients: Adam with L2 would be driven by wd * p alone.
        update_case("decoupled weight decay", gen, function="adamw", hyperparams={"lr": 0.1, "t": 1, "wd": 0.5},
                    per_param=2, steps=4, param_scale=3.0, grad_scale=0.1, hint=HINTS["decoupled weight decay"],
                    what="large parameters, small gradients"),
        update_case("float64", gen, function="adadelta", hyperparams={"rho": 0.9}, per_param=2, dtype=f64,
                    hint=HINTS["float64"]),
        update_case("float64", gen, function="adam", hyperparams={"lr": 0.05, "t": 1}, per_param=2, dtype=f64,
                    hint=HINTS["float64"]),
        update_case("float64", gen, function="adamw", hyperparams={"lr": 0.05, "t": 1, "wd": 0.1}, per_param=2,
                    dtype=f64, hint=HINTS["float64"]),
        loop_case("the book's loop", gen, init="init_adadelta_states", function="adadelta",
                  hyperparams={"rho": 0.9}, hint=HINTS["the book's loop"]),
        loop_case("the book's loop", gen, init="init_adam_states", function="adam", hyperparams={"lr": 0.05, "t": 1},
                  hint=HINTS["the book's loop"]),
        loop_case("the book's loop", gen, init="init_adam_states", function="adamw",
                  hyperparams={"lr": 0.05, "t": 1, "wd": 0.1}, hint=HINTS["the book's loop"]),
    ]


def _eps_inside_root(expected, actual, case) -> bool:
    """The first call (t = 1, states from zero, so v_hat = g and s_hat = g ** 2) stepped every parameter
    by lr * g / sqrt(g ** 2 + eps): eps inside the square root."""
    env, eps = case.spec["env"], 1e-6
    grads = case.spec["steps"][0]["value"]
    after = actual[1]["state"]["params"]
    for param, grad, got in zip(env["params"], grads, after, strict=True):
        value = getattr(got["value"], "tensor", got["value"])
        g = grad.to(torch.float64)
        target = param.to(torch.float64) - env["hyperparams"]["lr"] * g / torch.sqrt(g ** 2 + eps)
        if not close(value, target.to(value.dtype)):
            return False
    return True


#: Hints shown only when the failure shows their cause (d2lcoach/grading/diagnosis.py).
DIAGNOSES = (
    Diagnosis(when=_eps_inside_root, properties=("eps outside the square root",),
              hint=HINTS["eps outside the square root"]),
)
