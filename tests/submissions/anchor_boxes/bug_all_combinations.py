"""BUG: every size with every ratio, n * m anchors per pixel (the combinations the book says are too
many), instead of the n + m - 1 pairs (s_i, r_1) and (s_1, r_j).

expect: fail shape
"""
import torch


def multibox_prior(data, sizes, ratios):
    in_height, in_width = data.shape[-2:]
    dev, dt = data.device, data.dtype
    s = torch.tensor(sizes, dtype=dt, device=dev)
    r = torch.tensor(ratios, dtype=dt, device=dev)
    center_h = (torch.arange(in_height, dtype=dt, device=dev) + 0.5) / in_height
    center_w = (torch.arange(in_width, dtype=dt, device=dev) + 0.5) / in_width
    shift_y, shift_x = torch.meshgrid(center_h, center_w, indexing="ij")
    shift_y, shift_x = shift_y.reshape(-1), shift_x.reshape(-1)
    w = (s[:, None] * torch.sqrt(r)[None, :]).reshape(-1) * in_height / in_width
    h = (s[:, None] / torch.sqrt(r)[None, :]).reshape(-1)
    offsets = torch.stack((-w, -h, w, h)).T.repeat(in_height * in_width, 1) / 2
    grid = torch.stack([shift_x, shift_y, shift_x, shift_y], dim=1).repeat_interleave(w.numel(), dim=0)
    return (grid + offsets).unsqueeze(0)
