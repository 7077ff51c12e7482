"""BUG: unpacks the parameters grouped by kind (all X weights, all H weights, all biases).

With square weights this runs and is wrong; with num_inputs != num_hiddens the shapes clash.
expect: fail parameter order
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_xr, W_xh, W_hz, W_hr, W_hh, b_z, b_r, b_h = params
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
    return Z * H + (1 - Z) * H_tilde
