"""OK: one broadcast over an (H, W, k, 4) grid: centres (H, W, 1, 4) plus half-sizes (1, 1, k, 4), then a
reshape that walks rows, columns and anchors in the book's order.

expect: pass
"""
import torch


def multibox_prior(data, sizes, ratios):
    H, W = data.shape[-2], data.shape[-1]
    like = {"dtype": data.dtype, "device": data.device}
    s, r = torch.tensor(sizes, **like), torch.tensor(ratios, **like)
    size_per_anchor = torch.cat((s, s[:1].expand(len(ratios) - 1)))
    ratio_per_anchor = torch.cat((r[:1].expand(len(sizes)), r[1:]))
    half_w = size_per_anchor * ratio_per_anchor.sqrt() * (H / W) / 2
    half_h = size_per_anchor / ratio_per_anchor.sqrt() / 2
    half = torch.stack((-half_w, -half_h, half_w, half_h), dim=-1)            # (k, 4)
    ys = (torch.arange(H, **like) + 0.5) / H
    xs = (torch.arange(W, **like) + 0.5) / W
    centres = torch.stack((xs[None, :].expand(H, W), ys[:, None].expand(H, W)), dim=-1).repeat(1, 1, 2)  # (H, W, 4)
    return (centres[:, :, None, :] + half[None, None]).reshape(1, -1, 4)
