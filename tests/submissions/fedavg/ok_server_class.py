"""OK: a small server class with the book's super(Cls, self).__init__() idiom keeps the weights; the
update is W.zero_() then W.add_(state, alpha=w), which reads no client in place.

expect: pass
"""
import torch


class _Server(object):
    def __init__(self, num_samples):
        super(_Server, self).__init__()
        total = float(sum(num_samples))
        self._shares = [n / total for n in num_samples]
        self._largest = num_samples.index(max(num_samples))

    def write(self, target, name, client_states):
        if target.is_floating_point():
            target.zero_()
            for state, share in zip(client_states, self._shares):
                target.add_(state[name], alpha=share)
        else:
            target.copy_(client_states[self._largest][name])


def fedavg(global_model, client_states, num_samples):
    server = _Server(num_samples)
    with torch.no_grad():
        for name, target in global_model.state_dict().items():
            server.write(target, name, client_states)
