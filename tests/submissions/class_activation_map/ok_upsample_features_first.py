"""OK: upsamples the C feature maps first and takes the weighted sum after (both are linear, so the order
does not matter), classes by gather from torch.as_tensor, aminmax, and nan_to_num for a constant map.

expect: pass
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N, C = features.shape[:2]
    up = F.interpolate(features, size=size, mode="bilinear", align_corners=False)      # (N, C, H, W)
    k = torch.as_tensor(class_idx, device=features.device).expand(N)
    rows = torch.gather(weight, 0, k[:, None].expand(N, C))                             # (N, C)
    U = (rows[:, :, None, None] * up).sum(dim=1)
    flat = U.reshape(N, -1)
    lo, hi = torch.aminmax(flat, dim=1, keepdim=True)
    return torch.nan_to_num((flat - lo) / (hi - lo), nan=0.0).reshape(U.shape)
