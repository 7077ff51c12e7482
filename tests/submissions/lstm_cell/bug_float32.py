"""BUG: computes in float32 whatever the input's dtype, and casts back at the end.

expect: fail float64
"""
import torch


def lstm_cell(X, state, params):
    dtype = X.dtype
    X = X.float()
    H, C = (s.float() for s in state)
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = (p.float() for p in params)
    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
    C_tilde = torch.tanh(X @ W_xc + H @ W_hc + b_c)
    C_new = F * C + I * C_tilde
    return (O * torch.tanh(C_new)).to(dtype), C_new.to(dtype)
