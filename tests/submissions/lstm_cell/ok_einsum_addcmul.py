"""OK: einsum for the products, tanh written through the sigmoid (tanh(x) = 2 sigmoid(2x) - 1),
and addcmul for the memory update.

expect: pass
"""
import torch


def gate(X, H, W_x, W_h, b):
    return torch.einsum("bi,ih->bh", X, W_x) + torch.einsum("bj,jh->bh", H, W_h) + b


def lstm_cell(X, state, params):
    H, C = state
    I, F, O, C_tilde = (gate(X, H, *params[3 * k:3 * k + 3]) for k in range(4))
    I, F, O = torch.sigmoid(I), torch.sigmoid(F), torch.sigmoid(O)
    C_tilde = 2 * torch.sigmoid(2 * C_tilde) - 1
    C_new = torch.addcmul(F * C, I, C_tilde)
    return O * (2 * torch.sigmoid(2 * C_new) - 1), C_new
