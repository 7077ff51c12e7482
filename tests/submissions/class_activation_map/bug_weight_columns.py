"""BUG: takes weight to be (C, K), like the book's softmax-regression W from scratch, and picks column k:
wrong where K == C, an index error elsewhere.

expect: fail values; one class per image
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    rows = weight[:, class_idx].T
    if rows.dim() == 1:
        rows = rows.expand(N, -1)
    M = torch.einsum('nc,nchw->nhw', rows, features)
    U = F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False).squeeze(1)
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
