"""In torchvision's words: lam_adjusted as a float, the targets mixed in place on fresh tensors (mul_, add_),
the batch cloned before pasting; the sampler names its draws r_x, r_y like torchvision's CutMix.

expect: pass
"""
import math

import torch
import torch.nn.functional as F


def mixup(X, y, lam, perm, num_classes):
    target = F.one_hot(y, num_classes=num_classes).to(dtype=X.dtype)
    target_rolled = target[perm]
    batch = X.mul(lam).add(X[perm], alpha=1.0 - lam)
    target_rolled.mul_(1.0 - lam)
    target = target.mul_(lam).add_(target_rolled)
    return batch, target


def cutmix(X, y, lam, perm, box, num_classes):
    x1, y1, x2, y2 = box
    H, W = X.shape[-2], X.shape[-1]
    batch = X.clone()
    batch[:, :, y1:y2, x1:x2] = X[perm][:, :, y1:y2, x1:x2]
    lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (W * H))
    target = F.one_hot(y, num_classes=num_classes).to(dtype=X.dtype)
    target_rolled = target[perm].mul_(1.0 - lam_adjusted)
    return batch, target.mul_(lam_adjusted).add_(target_rolled)


def cutmix_box(H, W, lam, generator=None):
    r_x = torch.randint(W, size=(1,), generator=generator)
    r_y = torch.randint(H, size=(1,), generator=generator)
    r = math.sqrt(1.0 - lam)
    cut_w, cut_h = int(r * W), int(r * H)
    x1 = int(torch.clamp(r_x - cut_w // 2, min=0))
    y1 = int(torch.clamp(r_y - cut_h // 2, min=0))
    x2 = int(torch.clamp(r_x - cut_w // 2 + cut_w, max=W))
    y2 = int(torch.clamp(r_y - cut_h // 2 + cut_h, max=H))
    return x1, y1, x2, y2
