"""BUG: floating entries averaged, the others left alone: num_batches_tracked keeps the EMA's old count.

expect: fail integer buffers copied
"""
import torch


def ema_update(ema_model, model, gamma):
    with torch.no_grad():
        model_state = model.state_dict()
        for name, ema_t in ema_model.state_dict().items():
            if ema_t.dtype.is_floating_point:
                ema_t.lerp_(model_state[name], gamma)
