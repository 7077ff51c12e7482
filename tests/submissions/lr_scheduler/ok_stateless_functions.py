"""Both schedules as closed forms: the factor one counts its calls and uses a power; the cosine one
uses cos(x/2)**2 for (1 + cos x) / 2 and min/max for the phases.

expect: pass
"""

import math


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.factor, self.stop, self.start, self.calls = factor, stop_factor_lr, base_lr, 0

    def __call__(self, num_update):
        self.calls += 1
        return float(max(self.stop, self.start * self.factor ** self.calls))


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.args = (max_update, float(base_lr), float(final_lr), warmup_steps, float(warmup_begin_lr))

    def __call__(self, epoch):
        max_update, base, final, warm, begin = self.args
        if epoch < warm:
            return begin + (base - begin) * epoch / warm
        t = min(epoch, max_update) - warm
        return final + (base - final) * math.cos(math.pi * t / (max_update - warm) / 2) ** 2
