"""BUG: builds 1 - Z from torch.ones(Z.shape), a float32 tensor on the default device (the CPU).

On the CPU in float32 it is right; float64 input comes back float64 only by promotion, but on
another device (CUDA, or meta) ones - Z mixes devices.
expect: fail device
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
    return Z * H + (torch.ones(Z.shape) - Z) * H_tilde
