"""OK: Tensor.unfold (a view, not im2col) cuts the windows, einsum does the products.

expect: pass
"""
import torch


def patch_embedding(X, weight, bias, patch_size):
    if isinstance(patch_size, int):
        patch_size = (patch_size, patch_size)
    ph, pw = patch_size
    windows = X.unfold(2, ph, ph).unfold(3, pw, pw)                     # (B, C, rows, cols, ph, pw)
    out = torch.einsum("bcrsij,dcij->brsd", windows, weight) + bias     # (B, rows, cols, d)
    return out.reshape(out.shape[0], -1, out.shape[-1])
