"""OK: private helper names of the submission's own (a module-level `_align`, a method `self._compare_one`),
torch.softmax as a method, and the layers built by a private helper.

expect: pass
"""
import torch
from torch import nn


def _two_layers(n_in, n_hidden, flatten):
    out = []
    for size in (n_in, n_hidden):
        out += [nn.Dropout(0.2), nn.Linear(size, n_hidden), nn.ReLU()]
        if flatten:
            out.append(nn.Flatten(start_dim=1))
    return out


def mlp(num_inputs, num_hiddens, flatten):
    return nn.Sequential(*_two_layers(num_inputs, num_hiddens, flatten))


def _align(scores, values):
    """Each row of `scores` softmaxed over its last axis, then the weighted average of `values`."""
    return torch.bmm(scores.softmax(dim=-1), values)


class Attend(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.f = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B):
        e = torch.bmm(self.f(A), self.f(B).transpose(-1, -2))
        return _align(e, B), _align(e.transpose(-1, -2), A)


class Compare(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.g = mlp(num_inputs, num_hiddens, flatten=False)

    def _compare_one(self, X, aligned):
        return self.g(torch.cat([X, aligned], dim=2))

    def forward(self, A, B, beta, alpha):
        return self._compare_one(A, beta), self._compare_one(B, alpha)
