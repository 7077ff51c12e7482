"""OK: torch.addmm for bias + product, and the sigmoid written out as 1 / (1 + exp(-x)); tanh as
2 * sigmoid(2x) - 1.

expect: pass
"""
import torch


def _sigmoid(x):
    return 1 / (1 + torch.exp(-x))


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = _sigmoid(torch.addmm(torch.addmm(b_z, X, W_xz), H, W_hz))
    R = _sigmoid(torch.addmm(torch.addmm(b_r, X, W_xr), H, W_hr))
    H_tilde = 2 * _sigmoid(2 * torch.addmm(torch.addmm(b_h, X, W_xh), R * H, W_hh)) - 1
    return Z * H + (1 - Z) * H_tilde
