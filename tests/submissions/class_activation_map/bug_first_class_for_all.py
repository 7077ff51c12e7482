"""BUG: takes one class for the whole batch, the first image's, as the paper's code takes one index at a
time: every image gets the map of class_idx[0].

expect: fail one class per image; values
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    k = class_idx if isinstance(class_idx, int) else int(class_idx[0])
    M = torch.einsum('c,nchw->nhw', weight[k], features)
    U = F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False).squeeze(1)
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
