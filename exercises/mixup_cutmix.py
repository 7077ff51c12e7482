"""Exercise mixup_cutmix (beyond D2L 14.1; Zhang et al. 2018, Yun et al. 2019): mixup, cutmix and the CutMix box."""

import math

import torch
import torch.nn.functional as F


def mixup(X: torch.Tensor, y: torch.Tensor, lam: float, perm: torch.Tensor, num_classes: int):
    """Return (lam * X + (1 - lam) * X[perm], the one-hot targets mixed with the same weights).

    Zhang et al., mixup: Beyond Empirical Risk Minimization (ICLR 2018), equation (1):
    https://arxiv.org/abs/1710.09412
    Beside D2L 14.1, image augmentation, which changes one image at a time:
    https://d2l.ai/chapter_computer-vision/image-augmentation.html

    What to implement
        Example i is mixed with its partner perm[i]:
            images  = lam * X + (1 - lam) * X[perm]
            targets = lam * Y + (1 - lam) * Y[perm],  Y = one_hot(y, num_classes) in X's dtype.
        A pure function of its arguments: perm and lam are given (drawn by the caller), nothing is random.

    Shapes
        X (N, C, H, W) floating; y (N,) int64 labels in [0, num_classes); 0 <= lam <= 1 a Python float;
        perm (N,) int64, a permutation of 0 .. N-1. Result: a pair, images (N, C, H, W) in X's dtype and
        targets (N, num_classes) in X's dtype, both on X's device.

    Conventions
        - lam weights X itself, 1 - lam the partner X[perm] (X[perm] gathers: row i is X[perm[i]]).
        - num_classes columns, whatever labels y happens to hold.
        - Gradients flow to X; do not modify the arguments.

    Forbidden
        Nothing in torch mixes a batch (torchvision's v2.MixUp does, and torchvision is not an allowed
        import). F.one_hot, indexing and arithmetic are allowed.
    """
    raise NotImplementedError("mixup: fill in this function")


def cutmix(X: torch.Tensor, y: torch.Tensor, lam: float, perm: torch.Tensor, box: tuple, num_classes: int):
    """Return (X with the box of X[perm] pasted in, the one-hot targets weighted by the box's exact area).

    Yun et al., CutMix: Regularization Strategy to Train Strong Classifiers with Localizable Features
    (ICCV 2019), section 3.1: https://arxiv.org/abs/1905.04899

    What to implement
        box = (x1, y1, x2, y2), half-open like Python slices: rows y1:y2 along the height (dimension -2),
        columns x1:x2 along the width (dimension -1), as torchvision's CutMix writes it.
            images: a copy of X whose pixels [..., y1:y2, x1:x2] come from X[perm], the rest from X.
            lam_adjusted = 1 - (x2 - x1) * (y2 - y1) / (H * W)        (the share of X's own pixels)
            targets = lam_adjusted * Y + (1 - lam_adjusted) * Y[perm],  Y = one_hot(y, num_classes).
        lam is the value the box was drawn for (cutmix_box): after int() and clipping at the edges the
        box's area is not exactly 1 - lam, so the targets take lam_adjusted, not lam.

    Shapes
        X (N, C, H, W) floating, H and W not necessarily equal; y, perm and num_classes as in mixup;
        0 <= x1 <= x2 <= W and 0 <= y1 <= y2 <= H, Python ints (an empty box and the whole image included).
        Result: images (N, C, H, W) and targets (N, num_classes), in X's dtype, on X's device.

    Conventions
        - Never write into X: clone it (or use torch.where with a mask on X's device) before pasting.
        - Gradients flow to X (through the pasted pixels to their source examples too).

    Forbidden
        Nothing in torch does CutMix (torchvision's v2.CutMix does, and torchvision is not an allowed import).
    """
    raise NotImplementedError("cutmix: fill in this function")


def cutmix_box(H: int, W: int, lam: float, generator=None) -> tuple:
    """Return a random box (x1, y1, x2, y2) whose area is about 1 - lam of an H x W image, clipped to it.

    Yun et al. 2019, section 3.1 and its code (rand_bbox): https://arxiv.org/abs/1905.04899

    What to implement
        r = sqrt(1 - lam); the cut is int(H * r) rows by int(W * r) columns.
        The centre (cy, cx) is a pixel drawn uniformly over the whole image: cy uniform in 0 .. H-1, cx in
        0 .. W-1, each drawn with torch from `generator` (torch's global generator when it is None).
        The cut's top-left corner is (cy - cut_h // 2, cx - cut_w // 2) and it is exactly cut_h x cut_w
        before clipping; then clip it to the image:
            x1 = max(cx - cut_w // 2, 0),  x2 = min(cx - cut_w // 2 + cut_w, W), and the same for y with H.

    Shapes
        H, W positive ints; 0 <= lam <= 1. Result: a tuple of four Python ints, 0 <= x1 <= x2 <= W and
        0 <= y1 <= y2 <= H (lam = 1 gives an empty box).

    Conventions
        - Graded by statistics over many calls: every box is the clipped cut around some centre pixel, and
          the centres are uniform over the pixels (each check fails a correct sampler with probability at
          most 1e-9). The centre is not drawn only where the whole cut fits: boxes at the edges are smaller.
        - Random numbers from torch only (numpy is not an allowed import here): no torch.manual_seed and no
          generator of your own inside the function. The grader calls it with generator=None.
        - The paper's code writes cx -/+ cut_w // 2, which is one pixel short when cut_w is odd; here the cut
          is exactly int(W * r) long before clipping.

    Forbidden
        Nothing: torch.randint, torch.rand and math are allowed.
    """
    raise NotImplementedError("cutmix_box: fill in this function")
