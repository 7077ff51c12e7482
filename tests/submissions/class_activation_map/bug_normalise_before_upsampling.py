"""BUG: normalises the small map first and upsamples it after, as the paper's released code does before
cv2.resize: an interior maximum is blended with its neighbours and no longer reaches 1.

expect: fail normalised after upsampling
"""
import torch
import torch.nn.functional as F


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    rows = weight[class_idx]
    if rows.dim() == 1:
        rows = rows.expand(N, -1)
    M = torch.einsum('nc,nchw->nhw', rows, features)
    lo = M.amin(dim=(1, 2), keepdim=True)
    spread = M.amax(dim=(1, 2), keepdim=True) - lo
    M = (M - lo) / torch.where(spread > 0, spread, torch.ones_like(spread))
    return F.interpolate(M.unsqueeze(1), size=size, mode='bilinear', align_corners=False).squeeze(1)
