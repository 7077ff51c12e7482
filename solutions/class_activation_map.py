"""Reference solution for class_activation_map (Zhou et al. 2016): the class's weighted sum of feature maps, upsampled, min-max normalised."""

import torch
import torch.nn.functional as F


def class_activation_map(features: torch.Tensor, weight: torch.Tensor, class_idx, size) -> torch.Tensor:
    """M[n] = sum_c weight[class_n, c] * features[n, c], upsampled bilinearly (align_corners=False) to size,
    then (U - min) / (max - min) per image over its H x W positions; a constant map gives zeros."""
    N = features.shape[0]
    w = weight[class_idx]                        # (C,) for an int class, (N, C) for one class per image
    if w.dim() == 1:
        w = w.expand(N, -1)
    cam = torch.einsum("nc,nchw->nhw", w, features)
    up = F.interpolate(cam.unsqueeze(1), size=size, mode="bilinear", align_corners=False).squeeze(1)
    flat = up.flatten(1)                         # (N, H * W): each image's positions in one row
    lo, hi = torch.aminmax(flat, dim=1, keepdim=True)
    spread = hi - lo
    flat = (flat - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
    return flat.reshape(up.shape)
