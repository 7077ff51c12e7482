"""OK: one loop over state_dict() (its tensors share the EMA's storage), lerp_ for floating entries and
copy_ for the rest, a private helper, and the result of the helper discarded.

expect: pass
"""
import torch


def _blend(target, source, weight):
    if target.dtype.is_floating_point:
        return target.lerp_(source, weight)
    return target.copy_(source)


def ema_update(ema_model, model, gamma):
    source = model.state_dict()
    with torch.no_grad():
        for name, target in ema_model.state_dict().items():
            _blend(target, source[name], gamma)
