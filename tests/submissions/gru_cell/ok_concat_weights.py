"""OK: the two gates in one product: concatenate W_xz|W_xr and W_hz|W_hr, compute both pre-activations
at once, then split them.

expect: pass
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    h = H.shape[1]
    gates = torch.sigmoid(X @ torch.cat([W_xz, W_xr], dim=1) + H @ torch.cat([W_hz, W_hr], dim=1)
                          + torch.cat([b_z, b_r]))
    Z, R = gates.split(h, dim=1)
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
    return H_tilde + Z * (H - H_tilde)
