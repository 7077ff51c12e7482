"""BUG: calls F.interpolate without a mode: its default is nearest neighbour, blocks instead of a smooth
bilinear map.

expect: fail bilinear upsampling (align_corners=False); any output size; values
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    rows = weight[class_idx]
    if rows.dim() == 1:
        rows = rows.expand(N, -1)
    M = torch.einsum('nc,nchw->nhw', rows, features)
    U = F.interpolate(M.unsqueeze(1), size=size).squeeze(1)
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
