"""OK: `@` with explicit transposes: alpha from softmax(e, dim=1) transposed (the same weights as softmax of e's
transpose over its last axis), and f applied once to A and B stacked when their lengths agree.

expect: pass
"""
import torch
from torch import nn
from torch.nn import functional as F


def mlp(num_inputs, num_hiddens, flatten):
    layers = nn.Sequential()
    for n_in in (num_inputs, num_hiddens):
        layers.append(nn.Dropout(0.2))
        layers.append(nn.Linear(n_in, num_hiddens))
        layers.append(nn.ReLU())
        if flatten:
            layers.append(nn.Flatten(start_dim=1))
    return layers


class Attend(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super(Attend, self).__init__(**kwargs)
        self.f = mlp(num_inputs, num_hiddens, False)

    def forward(self, A, B):
        if A.shape[1] == B.shape[1]:
            f_A, f_B = self.f(torch.stack([A, B])).unbind(0)
        else:
            f_A, f_B = self.f(A), self.f(B)
        e = f_A @ f_B.transpose(1, 2)
        beta = F.softmax(e, dim=2) @ B
        alpha = F.softmax(e, dim=1).transpose(1, 2) @ A
        return beta, alpha


class Compare(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super(Compare, self).__init__(**kwargs)
        self.g = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B, beta, alpha):
        V_A = self.g(torch.cat([A, beta], dim=A.dim() - 1))
        V_B = self.g(torch.cat([B, alpha], dim=B.dim() - 1))
        return V_A, V_B
