"""OK: a small class with the book's super(Cls, self).__init__() idiom keeps gamma; named_parameters and
named_buffers matched by name; the update written as ema += gamma * (model - ema) with slices.

expect: pass
"""
import torch


class _Averager(object):
    def __init__(self, gamma):
        super(_Averager, self).__init__()
        self._share = gamma

    def step(self, target, source):
        if target.is_floating_point():
            target[...] += self._share * (source - target)
        else:
            target[...] = source


def ema_update(ema_model, model, gamma):
    averager = _Averager(gamma)
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    with torch.no_grad():
        for name, p in ema_model.named_parameters():
            averager.step(p, params[name])
        for name, b in ema_model.named_buffers():
            averager.step(b, buffers[name])
