"""OK: the book's way with layers and matrices: rows @ features.reshape(N, C, h * w) by torch.bmm, an
nn.Upsample layer (mode='bilinear' leaves align_corners at False), and amin/amax over both axes.

expect: pass
"""
import torch
from torch import nn


def class_activation_map(features, weight, class_idx, size):
    N, C, h, w = features.shape
    if isinstance(class_idx, int):
        class_idx = torch.tensor([class_idx] * N, device=features.device)
    rows = weight[class_idx].reshape(N, 1, C)
    M = torch.bmm(rows, features.reshape(N, C, h * w)).reshape(N, 1, h, w)
    U = nn.Upsample(size=size, mode='bilinear')(M).reshape(N, size[0], size[1])
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    safe = torch.where(spread == 0, torch.ones_like(spread), spread)
    return (U - lo) / safe
