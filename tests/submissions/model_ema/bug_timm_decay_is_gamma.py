"""BUG: timm's form with gamma passed as its decay: ema = gamma * ema + (1 - gamma) * model.

expect: fail moving average, floating buffers, float64
"""
import torch


def ema_update(ema_model, model, gamma):
    decay = gamma
    with torch.no_grad():
        for ema_p, p in zip(ema_model.parameters(), model.parameters()):
            ema_p.mul_(decay).add_(p, alpha=1 - decay)
        for ema_b, b in zip(ema_model.buffers(), model.buffers()):
            if ema_b.dtype.is_floating_point:
                ema_b.mul_(decay).add_(b, alpha=1 - decay)
            else:
                ema_b.copy_(b)
