"""Exercise lr_scheduler (D2L 12.11): write the factor schedule and the cosine schedule with warm-up."""

import math


class FactorScheduler:
    """The book's factor schedule: every call multiplies the rate by `factor`, floored at `stop_factor_lr`.

    D2L 12.11, learning rate scheduling:
    https://d2l.ai/chapter_optimization/lr-scheduler.html

    scheduler(num_update) -> float. The scheduler keeps its current rate (self.base_lr): each
    call sets it to max(stop_factor_lr, base_lr * factor) and returns it, whatever num_update
    is, so the k-th call returns max(stop_factor_lr, base_lr * factor ** k). Python floats only.

    Forbidden: torch.optim.lr_scheduler.
    """

    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        raise NotImplementedError("FactorScheduler: fill in this function (__init__ and __call__)")

    def __call__(self, num_update):
        raise NotImplementedError("FactorScheduler.__call__: fill in this function")


class CosineScheduler:
    """The cosine schedule with a linear warm-up, as a function of the epoch; returns a Python float.

    With max_steps = max_update - warmup_steps:
        epoch < warmup_steps:                linear from warmup_begin_lr towards base_lr,
            warmup_begin_lr + (base_lr - warmup_begin_lr) * epoch / warmup_steps
        warmup_steps <= epoch <= max_update: the half cosine from base_lr down to final_lr,
            final_lr + (base_lr - final_lr) * (1 + cos(pi * (epoch - warmup_steps) / max_steps)) / 2
        epoch > max_update:                  final_lr.

    D2L 12.11: https://d2l.ai/chapter_optimization/lr-scheduler.html
    Calls may come in any order. Editions: the book stores the last cosine value in self.base_lr
    and returns it after max_update, so a fresh scheduler asked for an epoch past max_update
    raises AttributeError; here that epoch gives final_lr. Return floats (float(...)), not ints.

    Forbidden: torch.optim.lr_scheduler.
    """

    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        raise NotImplementedError("CosineScheduler: fill in this function (__init__ and __call__)")

    def __call__(self, epoch):
        raise NotImplementedError("CosineScheduler.__call__: fill in this function")
