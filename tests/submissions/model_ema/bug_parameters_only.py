"""BUG: averages parameters() only: BatchNorm's running statistics and its count never move.

expect: fail floating buffers, integer buffers copied, float64
"""
import torch


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        for ema_p, p in zip(ema_model.parameters(), model.parameters()):
            ema_p.mul_(1 - gamma).add_(p, alpha=gamma)
