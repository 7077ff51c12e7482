"""BUG: casts everything to float32 before the products, so float64 input gives a float32 state.

expect: fail dtype
"""
import torch


def gru_cell(X, H, params):
    X, H = X.float(), H.float()
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = [p.float() for p in params]
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
    return Z * H + (1 - Z) * H_tilde
