"""BUG: the library's EMA update from torch.optim.swa_utils, the exercise in one call.

expect: fail forbidden routine
"""
import torch
from torch.optim.swa_utils import get_ema_multi_avg_fn


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        update = get_ema_multi_avg_fn(1 - gamma)
        update(list(ema_model.parameters()), list(model.parameters()), 0)
        for ema_b, b in zip(ema_model.buffers(), model.buffers()):
            if ema_b.dtype.is_floating_point:
                ema_b.lerp_(b, gamma)
            else:
                ema_b.copy_(b)
