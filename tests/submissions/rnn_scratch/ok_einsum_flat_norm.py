"""OK: einsum for the products, indexing by time step, and the norm of all the gradients
flattened into one vector.

expect: pass
"""
import torch


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H = state[0]
    Ys = []
    for t in range(inputs.shape[0]):
        H = torch.tanh(torch.einsum("bv,vh->bh", inputs[t], W_xh) + torch.einsum("bj,jh->bh", H, W_hh) + b_h)
        Ys.append(torch.einsum("bh,hq->bq", H, W_hq) + b_q)
    return torch.cat(Ys), (H,)


def grad_clipping(params, theta):
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    norm = flat.dot(flat).sqrt()
    if norm > theta:
        for p in params:
            p.grad.copy_(p.grad * (theta / norm))
