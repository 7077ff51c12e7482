"""OK: Python loops over the images and the channels, the class looked up per image, one image upsampled
at a time, and a private helper that normalises one map (a constant one to zeros).

expect: pass
"""
import torch
import torch.nn.functional as F


def _min_max(U):
    lo, hi = U.min(), U.max()
    if hi == lo:
        return torch.zeros_like(U)
    return (U - lo) / (hi - lo)


def class_activation_map(features, weight, class_idx, size):
    N, C, h, w = features.shape
    out = []
    for n in range(N):
        k = class_idx if isinstance(class_idx, int) else class_idx[n]
        M = torch.zeros_like(features[n, 0])
        for c in range(C):
            M = M + weight[k, c] * features[n, c]
        U = F.interpolate(M[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]
        out.append(_min_max(U))
    return torch.stack(out)
