"""BUG: computes each step's hidden state from the initial H: the new state never reaches the
next step (a new name inside the loop), though the last one is returned.

expect: fail state carried across steps
"""
import torch


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H_t = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H_t @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H_t,)


def grad_clipping(params, theta):
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for p in params:
            p.grad[:] *= theta / norm
