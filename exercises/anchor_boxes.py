"""Exercise anchor_boxes (D2L 14.4): write the book's multibox_prior, the anchor boxes centred on every pixel."""

import torch


def multibox_prior(data: torch.Tensor, sizes, ratios) -> torch.Tensor:
    """Generate anchor boxes of several sizes and aspect ratios centred on every pixel of data.

    D2L 14.4, anchor boxes: https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        The book's multibox_prior. data is (N, C, H, W) (only its height H, width W, dtype and
        device matter); sizes = [s_1, ..., s_n] and ratios = [r_1, ..., r_m] are lists of floats.
        For the pixel in row i and column j, the centre is
            x = (j + 0.5) / W,   y = (i + 0.5) / H
        and the anchor of size s and ratio r has
            width  w = s * sqrt(r) * H / W,   height h = s / sqrt(r)
        (the widths are scaled by in_height / in_width, so that an anchor of ratio 1 is square
        on a rectangular image). Each anchor is (x - w/2, y - h/2, x + w/2, y + h/2): corner
        form, coordinates divided by the image's width and height.

    Shapes
        Returns (1, H * W * (n + m - 1), 4). Only n + m - 1 anchors per pixel, not n * m.

    Conventions
        - Pixels in row-major order (row 0 left to right, then row 1, ...); all the anchors of
          one pixel are consecutive.
        - Per pixel, first (s_1, r_1), (s_2, r_1), ..., (s_n, r_1), then (s_1, r_2), ..., (s_1, r_m).
          r_1 need not be 1.
        - The book builds torch.tensor(sizes) in float32; here the anchors take data's dtype
          and device (torch.tensor(sizes, dtype=data.dtype, device=data.device)).
        - data is never modified; the anchors do not depend on its values.

    Forbidden
        torchvision (its AnchorGenerator and everything else in it).
    """
    raise NotImplementedError("multibox_prior: fill in this function")
