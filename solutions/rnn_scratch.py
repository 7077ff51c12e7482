"""Reference solution for the rnn_scratch exercise (D2L 9.5): an RNN from scratch, and gradient clipping."""

import torch


def rnn(inputs: torch.Tensor, state, params):
    """The book's rnn: inputs (num_steps, batch, vocab), state (H,), params (W_xh, W_hh, b_h, W_hq, b_q).

    Returns (outputs (num_steps * batch, num_outputs), (H,)), the book's layout.
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


def grad_clipping(params, theta: float) -> None:
    """Scale every gradient by theta / norm, in place, when the global norm of all the gradients exceeds theta."""
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
