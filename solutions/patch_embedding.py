"""Reference solution for the patch_embedding exercise (D2L 11.8): the Vision Transformer's patch embedding by reshaping."""

import torch


def patch_embedding(X: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                    patch_size: int | tuple[int, int]) -> torch.Tensor:
    """Return the (B, num_patches, d) embedding: each patch, flattened in (C, ph, pw) order, times the weight, plus bias.

    Patches are taken in row-major order; rows and columns past the last whole patch are dropped.
    """
    ph, pw = (patch_size, patch_size) if isinstance(patch_size, int) else patch_size
    B, C, H, W = X.shape
    rows, cols = H // ph, W // pw
    X = X[:, :, :rows * ph, :cols * pw]
    # (B, C, rows, ph, cols, pw) -> (B, rows, cols, C, ph, pw) -> (B, rows * cols, C * ph * pw)
    patches = X.reshape(B, C, rows, ph, cols, pw).permute(0, 2, 4, 1, 3, 5).reshape(B, rows * cols, C * ph * pw)
    return patches @ weight.reshape(weight.shape[0], -1).T + bias
