"""BUG: assigns a new nn.Parameter to every Linear layer of the EMA: the values are right, but the caller's
(and an optimiser's) references keep the old tensors.

expect: fail same tensors updated
"""
import torch
from torch import nn


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        for ema_m, m in zip(ema_model.modules(), model.modules()):
            if isinstance(ema_m, nn.Linear):
                ema_m.weight = nn.Parameter(gamma * m.weight + (1 - gamma) * ema_m.weight)
                ema_m.bias = nn.Parameter(gamma * m.bias + (1 - gamma) * ema_m.bias)
        for ema_b, b in zip(ema_model.buffers(), model.buffers()):
            if ema_b.dtype.is_floating_point:
                ema_b.mul_(1 - gamma).add_(b, alpha=gamma)
            else:
                ema_b.copy_(b)
