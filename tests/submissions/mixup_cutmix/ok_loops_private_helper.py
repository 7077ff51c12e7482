"""Loops over the examples and a private one-hot helper (zeros + scatter_ on X's device); the sampler draws
one flat pixel index and splits it into row and column, and clips with torch.clamp.

expect: pass
"""
import math

import torch


def _one_hot(y, num_classes, like):
    Y = torch.zeros(y.shape[0], num_classes, dtype=like.dtype, device=like.device)
    return Y.scatter_(1, y.unsqueeze(1), 1.0)


def mixup(X, y, lam, perm, num_classes):
    Y = _one_hot(y, num_classes, X)
    images, targets = [], []
    for i in range(X.shape[0]):
        j = perm[i]
        images.append(lam * X[i] + (1.0 - lam) * X[j])
        targets.append(lam * Y[i] + (1.0 - lam) * Y[j])
    return torch.stack(images), torch.stack(targets)


def cutmix(X, y, lam, perm, box, num_classes):
    x1, y1, x2, y2 = box
    H, W = X.shape[2], X.shape[3]
    rows = []
    for i in range(X.shape[0]):
        image = X[i].clone()
        image[:, y1:y2, x1:x2] = X[perm[i], :, y1:y2, x1:x2]
        rows.append(image)
    share = float((x2 - x1) * (y2 - y1)) / float(H * W)
    Y = _one_hot(y, num_classes, X)
    return torch.stack(rows), (1.0 - share) * Y + share * Y[perm]


def cutmix_box(H, W, lam, generator=None):
    cut_rat = math.sqrt(1.0 - lam)
    cut_h, cut_w = int(H * cut_rat), int(W * cut_rat)
    flat = torch.randint(0, H * W, (1,), generator=generator).item()
    cy, cx = divmod(flat, W)
    y1 = int(torch.clamp(torch.tensor(cy - cut_h // 2), 0, H))
    x1 = int(torch.clamp(torch.tensor(cx - cut_w // 2), 0, W))
    y2 = int(torch.clamp(torch.tensor(cy - cut_h // 2 + cut_h), 0, H))
    x2 = int(torch.clamp(torch.tensor(cx - cut_w // 2 + cut_w), 0, W))
    return (x1, y1, x2, y2)
