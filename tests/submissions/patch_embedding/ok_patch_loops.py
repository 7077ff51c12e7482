"""OK: one patch at a time, row by row, each flattened and multiplied by the flattened weight.

expect: pass
"""
import torch


def patch_embedding(X, weight, bias, patch_size):
    ph, pw = patch_size if isinstance(patch_size, (tuple, list)) else (patch_size, patch_size)
    W_flat = weight.flatten(1)                                          # (d, C * ph * pw)
    outputs = []
    for r in range(X.shape[2] // ph):
        for c in range(X.shape[3] // pw):
            patch = X[:, :, r * ph:(r + 1) * ph, c * pw:(c + 1) * pw].flatten(1)   # (B, C * ph * pw)
            outputs.append(patch @ W_flat.t() + bias)
    return torch.stack(outputs, dim=1)
