"""BUG: clamps the map at 0 before normalising it, as Grad-CAM does: CAM has no ReLU, and negative
evidence no longer differs from none.

expect: fail values; one class per image; normalised after upsampling
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    rows = weight[class_idx]
    if rows.dim() == 1:
        rows = rows.expand(N, -1)
    M = torch.relu(torch.einsum('nc,nchw->nhw', rows, features))
    U = F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False).squeeze(1)
    lo = U.amin(dim=(1, 2), keepdim=True)
    spread = U.amax(dim=(1, 2), keepdim=True) - lo
    return (U - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
