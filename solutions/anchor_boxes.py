"""Reference solution for the anchor_boxes exercise (D2L 14.4): the book's multibox_prior, anchors centred on every pixel."""

import torch


def multibox_prior(data: torch.Tensor, sizes, ratios) -> torch.Tensor:
    """Return the (1, H*W*(n+m-1), 4) anchors of D2L 14.4, in corner form and scaled to [0, 1].

    Per pixel, in row-major pixel order: the anchors of (s_i, r_1) for every size, then (s_1, r_j)
    for j >= 2. Widths are s*sqrt(r) * H/W (so that an r=1 anchor is square in pixels), heights
    s/sqrt(r). The book builds sizes and ratios in float32; here they take data's dtype.
    """
    in_height, in_width = data.shape[-2:]
    device, num_sizes, num_ratios = data.device, len(sizes), len(ratios)
    boxes_per_pixel = num_sizes + num_ratios - 1
    size_tensor = torch.tensor(sizes, dtype=data.dtype, device=device)
    ratio_tensor = torch.tensor(ratios, dtype=data.dtype, device=device)
    center_h = (torch.arange(in_height, dtype=data.dtype, device=device) + 0.5) / in_height
    center_w = (torch.arange(in_width, dtype=data.dtype, device=device) + 0.5) / in_width
    shift_y, shift_x = torch.meshgrid(center_h, center_w, indexing="ij")
    shift_y, shift_x = shift_y.reshape(-1), shift_x.reshape(-1)
    w = torch.cat((size_tensor * torch.sqrt(ratio_tensor[0]),
                   sizes[0] * torch.sqrt(ratio_tensor[1:]))) * in_height / in_width
    h = torch.cat((size_tensor / torch.sqrt(ratio_tensor[0]), sizes[0] / torch.sqrt(ratio_tensor[1:])))
    anchor_manipulations = torch.stack((-w, -h, w, h)).T.repeat(in_height * in_width, 1) / 2
    out_grid = torch.stack([shift_x, shift_y, shift_x, shift_y], dim=1).repeat_interleave(boxes_per_pixel, dim=0)
    return (out_grid + anchor_manipulations).unsqueeze(0)
