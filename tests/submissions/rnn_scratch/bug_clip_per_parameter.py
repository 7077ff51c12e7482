"""BUG: clips each gradient by its own norm.

expect: fail global norm
"""
import torch


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H,)


def grad_clipping(params, theta):
    for p in params:
        norm = torch.sqrt(torch.sum(p.grad ** 2))
        if norm > theta:
            p.grad[:] *= theta / norm
