"""OK: the three X products as one batched product: stack the X weights to (3, d, h) and use
torch.baddbmm with the stacked biases, then unbind.

expect: pass
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Wx = torch.stack([W_xz, W_xr, W_xh])                  # (3, d, h)
    bias = torch.stack([b_z, b_r, b_h]).unsqueeze(1)      # (3, 1, h)
    Xs = X.unsqueeze(0).expand(3, -1, -1)                 # (3, batch, d)
    xz, xr, xh = torch.baddbmm(bias, Xs, Wx).unbind(0)
    Z = torch.sigmoid(xz + torch.mm(H, W_hz))
    R = torch.sigmoid(xr + torch.mm(H, W_hr))
    H_tilde = torch.tanh(xh + torch.mm(R * H, W_hh))
    return Z * H + (1 - Z) * H_tilde
