"""BUG: detaches the state first ("truncated backpropagation through time"), so no gradient
reaches H or C. The values are right.

expect: fail gradients
"""
import torch


def lstm_cell(X, state, params):
    H, C = (s.detach() for s in state)
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
    C_tilde = torch.tanh(X @ W_xc + H @ W_hc + b_c)
    C_new = F * C + I * C_tilde
    return O * torch.tanh(C_new), C_new
