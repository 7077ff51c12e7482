"""OK: torch.addmm over inputs.unbind(0), the outputs stacked and reshaped (the same rows as
torch.cat), and the global norm as the norm of the per-parameter norms, applied with mul_.

expect: pass
"""
import torch


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outputs = []
    for X in inputs.unbind(0):
        H = torch.tanh(torch.addmm(b_h, X, W_xh) + H @ W_hh)
        outputs.append(torch.addmm(b_q, H, W_hq))
    return torch.stack(outputs).reshape(-1, W_hq.shape[1]), (H,)


def grad_clipping(params, theta):
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
    scale = min(1.0, theta / float(norm))
    if scale < 1.0:
        for p in params:
            p.grad.mul_(scale)
