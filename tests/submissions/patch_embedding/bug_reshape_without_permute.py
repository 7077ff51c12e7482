"""BUG: reshapes X straight to (B, num_patches, C * ph * pw): each 'patch' is a run of
consecutive pixels of one channel, not a square of the image.

expect: fail values, patches in row-major order, patch flatten order
"""
import torch


def patch_embedding(X, weight, bias, patch_size):
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    B, C, H, W = X.shape
    rows, cols = H // ph, W // pw
    X = X[:, :, :rows * ph, :cols * pw]
    patches = X.reshape(B, rows * cols, C * ph * pw)
    return patches @ weight.reshape(weight.shape[0], -1).T + bias
