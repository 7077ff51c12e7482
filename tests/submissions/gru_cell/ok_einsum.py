"""OK: every product with torch.einsum, the gates through a small helper.

expect: pass
"""
import torch


def _affine(X, H, W_x, W_h, b):
    return torch.einsum("bi,ih->bh", X, W_x) + torch.einsum("bj,jh->bh", H, W_h) + b


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = torch.sigmoid(_affine(X, H, W_xz, W_hz, b_z))
    R = torch.sigmoid(_affine(X, H, W_xr, W_hr, b_r))
    H_tilde = torch.tanh(_affine(X, R * H, W_xh, W_hh, b_h))
    return torch.lerp(H_tilde, H, Z)
