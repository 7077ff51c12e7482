"""BUG: unpacks the reset gate's parameters first (PyTorch's GRU orders its gates r, z, n).

All the shapes still fit, so nothing raises; the gates just swap roles.
expect: fail parameter order
"""
import torch


def gru_cell(X, H, params):
    W_xr, W_hr, b_r, W_xz, W_hz, b_z, W_xh, W_hh, b_h = params
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
    return Z * H + (1 - Z) * H_tilde
