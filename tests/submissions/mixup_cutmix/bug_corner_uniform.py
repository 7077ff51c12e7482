"""BUG: draws the top-left corner uniformly where the whole cut fits: no clipping is ever needed, but the
centres never reach the edges (the boxes are not the paper's).

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
    top = int(torch.randint(H - cut_h + 1, (), generator=generator))
    left = int(torch.randint(W - cut_w + 1, (), generator=generator))
    return left, top, left + cut_w, top + cut_h

