"""BUG: reads a pair patch_size as (pw, ph): rectangular patches come out transposed.

expect: fail rectangular patches
"""
import torch


def patch_embedding(X, weight, bias, patch_size):
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else (patch_size[1], patch_size[0])
    B, C, H, W = X.shape
    rows, cols = H // ph, W // pw
    X = X[:, :, :rows * ph, :cols * pw]
    patches = X.reshape(B, C, rows, ph, cols, pw).permute(0, 2, 4, 1, 3, 5).reshape(B, rows * cols, C * ph * pw)
    return patches @ weight.reshape(weight.shape[0], -1).T + bias
