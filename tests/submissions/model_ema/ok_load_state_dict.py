"""OK: a new averaged state built out of place (the decay written as timm does, decay = 1 - gamma), then
load_state_dict, which copies into the EMA's own tensors.

expect: pass
"""
import torch


def ema_update(ema_model, model, gamma):
    decay = 1.0 - gamma
    with torch.no_grad():
        current = model.state_dict()
        averaged = {}
        for key, old in ema_model.state_dict().items():
            if torch.is_floating_point(old):
                averaged[key] = decay * old + (1.0 - decay) * current[key]
            else:
                averaged[key] = current[key].clone()
        ema_model.load_state_dict(averaged)
    return None
