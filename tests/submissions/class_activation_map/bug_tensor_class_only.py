"""BUG: treats class_idx as a tensor always (.long() on it): a Python int class raises.

expect: fail an int class for every image
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    rows = weight[class_idx.long()]
    M = torch.einsum('nc,nchw->nhw', rows, features)
    U = F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False).squeeze(1)
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
