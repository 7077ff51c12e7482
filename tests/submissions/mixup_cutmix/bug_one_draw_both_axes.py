"""BUG: one uniform number places the centre on both axes (cy = int(u * H), cx = int(u * W)): each axis
alone is uniform, but the centres lie on the diagonal.

expect: fail uniform centre
"""
import math

import torch
import torch.nn.functional as F


def mixup(X, y, lam, perm, num_classes):
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return lam * X + (1 - lam) * X[perm], lam * Y + (1 - lam) * Y[perm]


def cutmix(X, y, lam, perm, box, num_classes):
    x1, y1, x2, y2 = box
    H, W = X.shape[-2:]
    out = X.clone()
    out[..., y1:y2, x1:x2] = X[perm][..., y1:y2, x1:x2]
    lam = 1 - (x2 - x1) * (y2 - y1) / (H * W)
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return out, lam * Y + (1 - lam) * Y[perm]


def cutmix_box(H, W, lam, generator=None):
    r = math.sqrt(1 - lam)
    cut_h, cut_w = int(H * r), int(W * r)
    u = float(torch.rand((), generator=generator, dtype=torch.float64))
    cy, cx = int(u * H), int(u * W)
    top, left = cy - cut_h // 2, cx - cut_w // 2
    return max(left, 0), max(top, 0), min(left + cut_w, W), min(top + cut_h, H)

