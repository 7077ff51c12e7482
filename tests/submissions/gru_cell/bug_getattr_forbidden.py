"""BUG: calls torch.gru_cell through getattr with a built-up name, after packing the book's
parameters into PyTorch's layout (which also puts the reset gate in PyTorch's place).

The name check cannot read the name; the code policy refuses getattr itself.
expect: fail code rules
"""
import torch


def gru_cell(X, H, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    w_ih = torch.cat([W_xr, W_xz, W_xh], dim=1).T
    w_hh = torch.cat([W_hr, W_hz, W_hh], dim=1).T
    b_ih = torch.cat([b_r, b_z, b_h])
    b_hh = torch.zeros_like(b_ih)
    routine = getattr(torch, "gr" + "u_c" + "ell")
    return routine(X, H, w_ih, w_hh, b_ih, b_hh)
