"""mixup with einsum over a (N, N) mixing matrix; cutmix with torch.where and a mask made by comparing
aranges on X's device; the sampler draws the centre with torch.rand (float64) and floors it.

expect: pass
"""
import math

import torch
import torch.nn.functional as F


def mixup(X, y, lam, perm, num_classes):
    N = X.shape[0]
    M = lam * torch.eye(N, dtype=X.dtype, device=X.device)
    M = M + (1 - lam) * F.one_hot(perm, N).to(X.dtype)
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return torch.einsum("ij,jchw->ichw", M, X), M @ Y


def cutmix(X, y, lam, perm, box, num_classes):
    x1, y1, x2, y2 = box
    H, W = X.shape[-2:]
    rows = torch.arange(H, device=X.device).view(H, 1)
    cols = torch.arange(W, device=X.device).view(1, W)
    inside = (rows >= y1) & (rows < y2) & (cols >= x1) & (cols < x2)
    lam_adjusted = 1.0 - inside.sum().item() / (H * W)
    Y = F.one_hot(y, num_classes).to(X.dtype)
    return torch.where(inside, X[perm], X), lam_adjusted * Y + (1 - lam_adjusted) * Y[perm]


def cutmix_box(H, W, lam, generator=None):
    r = math.sqrt(1 - lam)
    h, w = int(H * r), int(W * r)
    u = torch.rand(2, generator=generator, dtype=torch.float64)
    cy, cx = min(int(u[0] * H), H - 1), min(int(u[1] * W), W - 1)
    y1, x1 = cy - h // 2, cx - w // 2
    return max(0, x1), max(0, y1), min(W, x1 + w), min(H, y1 + h)
