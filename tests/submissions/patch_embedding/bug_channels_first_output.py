"""BUG: returns (B, d, num_patches), the convolution's flatten(2) without the transpose(1, 2).

expect: fail shape
"""
import torch


def patch_embedding(X, weight, bias, patch_size):
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    B, C, H, W = X.shape
    rows, cols = H // ph, W // pw
    X = X[:, :, :rows * ph, :cols * pw]
    patches = X.reshape(B, C, rows, ph, cols, pw).permute(0, 2, 4, 1, 3, 5).reshape(B, rows * cols, C * ph * pw)
    return (patches @ weight.reshape(weight.shape[0], -1).T + bias).transpose(1, 2)
