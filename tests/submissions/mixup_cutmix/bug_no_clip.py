"""BUG: the sampler never clips: near an edge the box starts below 0 or ends past the image.

expect: fail inside the image
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
    cy = int(torch.randint(H, (), generator=generator))
    cx = int(torch.randint(W, (), generator=generator))
    top, left = cy - cut_h // 2, cx - cut_w // 2
    return left, top, left + cut_w, top + cut_h

