"""BUG: writes the new state into H in place (H *= Z; H += ...), so the caller's H changes.

expect: fail no mutation
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
    H *= Z
    H += (1 - Z) * H_tilde
    return H
