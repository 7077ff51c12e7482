"""BUG: gamma made a float32 tensor: a float64 average is rounded to float32 precision.

expect: fail float64
"""
import torch


def ema_update(ema_model, model, gamma):
    g = torch.tensor(gamma, dtype=torch.float32)
    with torch.no_grad():
        for ema_t, t in zip([*ema_model.parameters(), *ema_model.buffers()], [*model.parameters(), *model.buffers()]):
            if ema_t.dtype.is_floating_point:
                ema_t.copy_((g * t.float() + (1 - g) * ema_t.float()))
            else:
                ema_t.copy_(t)
