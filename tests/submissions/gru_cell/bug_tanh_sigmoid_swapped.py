"""BUG: tanh for the gates and sigmoid for the candidate state.

expect: fail values
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = torch.tanh(X @ W_xz + H @ W_hz + b_z)
    R = torch.tanh(X @ W_xr + H @ W_hr + b_r)
    H_tilde = torch.sigmoid(X @ W_xh + (R * H) @ W_hh + b_h)
    return Z * H + (1 - Z) * H_tilde
