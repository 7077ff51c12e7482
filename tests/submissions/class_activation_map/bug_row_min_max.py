"""BUG: takes the min and max along the last axis only (keepdim=True makes it broadcast silently): every
row of every map is normalised on its own.

expect: fail normalised per image; values
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    rows = weight[class_idx]
    if rows.dim() == 1:
        rows = rows.expand(N, -1)
    M = torch.einsum('nc,nchw->nhw', rows, features)
    U = F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False).squeeze(1)
    lo = U.min(dim=-1, keepdim=True).values
    spread = U.max(dim=-1, keepdim=True).values - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
