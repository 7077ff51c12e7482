"""Reference solution for mixup_cutmix (Zhang et al. 2018; Yun et al. 2019): mixup, cutmix and the CutMix box."""

import math

import torch
import torch.nn.functional as F


def mixup(X: torch.Tensor, y: torch.Tensor, lam: float, perm: torch.Tensor, num_classes: int):
    """lam * X + (1 - lam) * X[perm], and the one-hot targets mixed with the same weights."""
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return lam * X + (1 - lam) * X[perm], lam * Y + (1 - lam) * Y[perm]


def cutmix(X: torch.Tensor, y: torch.Tensor, lam: float, perm: torch.Tensor, box: tuple, num_classes: int):
    """X with rows y1:y2 and columns x1:x2 of X[perm] pasted in; the targets weighted by the box's exact area
    (the given lam is the one the box was drawn for: the box's clipped area decides)."""
    x1, y1, x2, y2 = box
    H, W = X.shape[-2], X.shape[-1]
    X_mixed = X.clone()
    X_mixed[..., y1:y2, x1:x2] = X[perm][..., y1:y2, x1:x2]
    lam_adjusted = 1 - (x2 - x1) * (y2 - y1) / (H * W)
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return X_mixed, lam_adjusted * Y + (1 - lam_adjusted) * Y[perm]


def cutmix_box(H: int, W: int, lam: float, generator=None) -> tuple:
    """(x1, y1, x2, y2), half-open: a cut of int(H * r) rows and int(W * r) columns, r = sqrt(1 - lam), around
    a centre drawn uniformly over the H x W pixels, its top-left corner at (cy - cut_h // 2, cx - cut_w // 2),
    clipped to the image."""
    r = math.sqrt(1 - lam)
    cut_h, cut_w = int(H * r), int(W * r)
    cy = int(torch.randint(H, (), generator=generator))
    cx = int(torch.randint(W, (), generator=generator))
    top, left = cy - cut_h // 2, cx - cut_w // 2
    return max(left, 0), max(top, 0), min(left + cut_w, W), min(top + cut_h, H)
