"""Exercise pool2d (D2L 7.5): write 2-D max and average pooling with stride, padding and channels."""

import torch


def pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
           padding: int | tuple[int, int] = 0, mode: str = "max") -> torch.Tensor:
    """Pool every channel of X over windows of pool_size; return (N, C, OH, OW).

    D2L 7.5, pooling:
    https://d2l.ai/chapter_convolutional-neural-networks/pooling.html

    What to implement
        Y[n, c, i, j] = max (mode='max') or mean (mode='avg') of
                        Xp[n, c, i*sh : i*sh + kh, j*sw : j*sw + kw]
        where Xp is X padded with `padding` rows/columns on each side. The result must equal
        torch.nn.functional.max_pool2d(X, pool_size, stride, padding) for mode='max' and
        torch.nn.functional.avg_pool2d(X, pool_size, stride, padding) for mode='avg'.

    Shapes
        X (N, C, H, W). pool_size (kh, kw), stride (sh, sw) and padding (ph, pw): each an int
        (same for both axes) or a pair whose two values may differ. Output (N, C, OH, OW), with
            OH = (H + 2*ph - kh) // sh + 1,   OW = (W + 2*pw - kw) // sw + 1.
        Pooling has no weights: each channel is pooled on its own, so C stays C.

    Conventions
        - stride=None means stride = pool_size: the windows sit side by side, as in
          nn.MaxPool2d(3) in the book. The book's own from-scratch pool2d(X, pool_size, mode)
          takes one 2-D channel and always uses stride 1 with no padding: this exercise adds
          the batch and channel dimensions, stride and padding of the rest of the section.
        - Max pooling pads with -inf, so a padded element is never the maximum.
        - Average pooling pads with zeros and counts them: every window is divided by kh * kw,
          padded or not (avg_pool2d's default, count_include_pad=True).
        - Gradients must flow back to X. Do not modify X in place; keep X's dtype and device.

    Forbidden
        Every pooling routine of torch: F.max_pool2d, F.avg_pool2d, the adaptive, lp and
        fractional pools, nn.MaxPool2d, nn.AvgPool2d and friends, torch.max_pool2d, ...
        Allowed: torch.nn.functional.pad (with value=...), Tensor.unfold, amax, mean, loops.
    """
    raise NotImplementedError("pool2d: fill in this function")
