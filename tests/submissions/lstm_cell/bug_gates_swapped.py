"""BUG: the forget and input gates swapped: the input gate scales the old memory.

expect: fail forget and input gates
"""
import torch


def lstm_cell(X, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    H, C = state
    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
    C_tilde = torch.tanh(X @ W_xc + H @ W_hc + b_c)
    C_new = I * C + F * C_tilde
    H_new = O * torch.tanh(C_new)
    return H_new, C_new
