"""BUG: upsamples by a whole scale factor, H // h and W // w, instead of to the size: right only where
(H, W) is a multiple of (h, w).

expect: fail shape
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N, C, h, w = features.shape
    rows = weight[class_idx]
    if rows.dim() == 1:
        rows = rows.expand(N, -1)
    M = torch.einsum('nc,nchw->nhw', rows, features)
    U = F.interpolate(M.unsqueeze(1), scale_factor=(size[0] // h, size[1] // w), mode='bilinear',
                      align_corners=False).squeeze(1)
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
