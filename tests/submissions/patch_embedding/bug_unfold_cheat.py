"""BUG (cheating): F.unfold (im2col) extracts the patches for it, the convolution's own lowering.

expect: fail forbidden routine
"""
from torch.nn import functional as G


def patch_embedding(X, weight, bias, patch_size):
    patches = G.unfold(X, kernel_size=patch_size, stride=patch_size)       # (B, C * ph * pw, L)
    return patches.transpose(1, 2) @ weight.reshape(weight.shape[0], -1).T + bias
