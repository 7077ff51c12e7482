"""OK: the bilinear upsampling written out on the align_corners=False grid (source = (dst + 0.5) * h / H
- 0.5, clamped at 0), the map by einsum, and a constant map caught with torch.where.

expect: pass
"""
import torch


def _grid(n_out, n_in, like):
    src = (torch.arange(n_out, dtype=like.dtype, device=like.device) + 0.5) * (n_in / n_out) - 0.5
    src = src.clamp(min=0)
    i0 = src.floor().long().clamp(max=n_in - 1)
    i1 = (i0 + 1).clamp(max=n_in - 1)
    return i0, i1, src - i0


def class_activation_map(features, weight, class_idx, size):
    N = features.shape[0]
    rows = weight[class_idx]
    if rows.dim() == 1:
        rows = rows.unsqueeze(0).expand(N, -1)
    M = torch.einsum('nc,nchw->nhw', rows, features)
    H, W = size
    y0, y1, ly = _grid(H, M.shape[1], M)
    x0, x1, lx = _grid(W, M.shape[2], M)
    top = M[:, y0][:, :, x0] * (1 - lx) + M[:, y0][:, :, x1] * lx
    bottom = M[:, y1][:, :, x0] * (1 - lx) + M[:, y1][:, :, x1] * lx
    U = top * (1 - ly)[:, None] + bottom * ly[:, None]
    lo = U.amin(dim=(1, 2), keepdim=True)
    hi = U.amax(dim=(1, 2), keepdim=True)
    return torch.where(hi > lo, (U - lo) / (hi - lo), torch.zeros_like(U))
