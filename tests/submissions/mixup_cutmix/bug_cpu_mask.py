"""BUG: cutmix builds its 0/1 mask with torch.zeros(H, W) on the default device (the CPU), whatever X's device.

expect: fail device
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
    mask = torch.zeros(H, W, dtype=X.dtype)
    mask[y1:y2, x1:x2] = 1
    lam = 1 - (x2 - x1) * (y2 - y1) / (H * W)
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return X * (1 - mask) + X[perm] * mask, lam * Y + (1 - lam) * Y[perm]

def cutmix_box(H, W, lam, generator=None):
    r = math.sqrt(1 - lam)
    cut_h, cut_w = int(H * r), int(W * r)
    cy = int(torch.randint(H, (), generator=generator))
    cx = int(torch.randint(W, (), generator=generator))
    top, left = cy - cut_h // 2, cx - cut_w // 2
    return max(left, 0), max(top, 0), min(left + cut_w, W), min(top + cut_h, H)


