"""A table computed once in __init__ (the factor schedule precomputed lazily, the cosine for every
epoch up to max_update), then looked up.

expect: pass
"""

import math


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.rates = [base_lr]
        self.factor, self.stop = factor, stop_factor_lr

    def __call__(self, num_update):
        self.rates.append(max(self.stop, self.rates[-1] * self.factor))
        return float(self.rates[-1])


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.table = []
        for e in range(max_update + 1):
            if e < warmup_steps:
                lr = warmup_begin_lr + (base_lr - warmup_begin_lr) * e / warmup_steps
            else:
                span = max_update - warmup_steps
                lr = final_lr + (base_lr - final_lr) * (1 + math.cos(math.pi * (e - warmup_steps) / span)) / 2
            self.table.append(float(lr))
        self.final = float(final_lr)

    def __call__(self, epoch):
        return self.table[epoch] if epoch < len(self.table) else self.final
