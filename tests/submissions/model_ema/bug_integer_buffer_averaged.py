"""BUG: every state_dict entry averaged and copied back: the int64 count is rounded down, not copied.

expect: fail integer buffers copied
"""
import torch


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        model_state = model.state_dict()
        for name, ema_t in ema_model.state_dict().items():
            ema_t.copy_(gamma * model_state[name] + (1 - gamma) * ema_t)
