"""Both schedulers keep their state in private attributes (`self._lr`, `self._steps`), read through a
property, with a private module-level helper `_cosine_share` and a private class constant.

expect: pass
"""

import math


def _cosine_share(t, span):
    return (1 + math.cos(math.pi * t / span)) / 2


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self._factor = factor
        self._floor = stop_factor_lr
        self._lr = base_lr

    @property
    def base_lr(self):
        return self._lr

    @base_lr.setter
    def base_lr(self, value):
        self._lr = value

    def __call__(self, num_update):
        self.base_lr = max(self._floor, self.base_lr * self._factor)
        return float(self.base_lr)


class CosineScheduler:
    _START = 0

    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self._peak = base_lr
        self._final = final_lr
        self._max_update = max_update
        self._warmup = warmup_steps
        self._begin = warmup_begin_lr
        self._steps = max_update - warmup_steps

    def _warmup_lr(self, epoch):
        return float(self._begin + (self._peak - self._begin) * float(epoch) / float(self._warmup))

    def __call__(self, epoch):
        if epoch < self._warmup:
            return self._warmup_lr(epoch)
        if self._START <= epoch <= self._max_update:
            return float(self._final + (self._peak - self._final) * _cosine_share(epoch - self._warmup, self._steps))
        return float(self._final)
