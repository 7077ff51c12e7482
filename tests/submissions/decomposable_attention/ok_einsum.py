"""OK: einsum for e, beta and alpha, a softmax written out (max subtracted), super().__init__(), and mlp's
layers listed in one nn.Sequential call.

expect: pass
"""
import torch
from torch import nn


def mlp(num_inputs, num_hiddens, flatten):
    extra = [nn.Flatten(start_dim=1)] if flatten else []
    return nn.Sequential(nn.Dropout(0.2), nn.Linear(num_inputs, num_hiddens), nn.ReLU(), *extra,
                         nn.Dropout(0.2), nn.Linear(num_hiddens, num_hiddens), nn.ReLU(), *extra)


def softmax_last(x):
    x = x - x.amax(dim=-1, keepdim=True)
    w = torch.exp(x)
    return w / w.sum(dim=-1, keepdim=True)


class Attend(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.f = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B):
        e = torch.einsum("bih,bjh->bij", self.f(A), self.f(B))
        beta = torch.einsum("bij,bjd->bid", softmax_last(e), B)
        alpha = torch.einsum("bji,bjd->bid", softmax_last(e.transpose(1, 2)).transpose(1, 2), A)
        return beta, alpha


class Compare(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.g = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B, beta, alpha):
        return self.g(torch.cat((A, beta), dim=-1)), self.g(torch.cat((B, alpha), dim=-1))
