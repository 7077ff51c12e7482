"""BUG: the arguments swapped: the model is moved towards the EMA, and the EMA never changes.

expect: fail moving average, floating buffers, integer buffers copied, model unchanged, float64
"""
import torch


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        for p, ema_p in zip(model.parameters(), ema_model.parameters()):
            p.mul_(1 - gamma).add_(ema_p, alpha=gamma)
        for b, ema_b in zip(model.buffers(), ema_model.buffers()):
            if b.dtype.is_floating_point:
                b.mul_(1 - gamma).add_(ema_b, alpha=gamma)
            else:
                b.copy_(ema_b)
