"""BUG: buffers copied from the model, floating ones too: running_mean and running_var are not averaged.

expect: fail floating buffers, float64
"""
import torch


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        for ema_p, p in zip(ema_model.parameters(), model.parameters()):
            ema_p.mul_(1 - gamma).add_(p, alpha=gamma)
        for ema_b, b in zip(ema_model.buffers(), model.buffers()):
            ema_b.copy_(b)
