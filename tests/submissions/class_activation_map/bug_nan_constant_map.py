"""BUG: divides by max - min as it is: a constant map is 0 / 0 = nan instead of zeros.

expect: fail a constant map gives zeros
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
    lo = U.amin(dim=(1, 2), keepdim=True)
    hi = U.amax(dim=(1, 2), keepdim=True)
    return (U - lo) / (hi - lo)
