"""Exercise softmax (D2L 4.4): write a numerically stable softmax along any dimension."""

import torch


def softmax(X: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Return the softmax of X along `dim`: exp(X) divided by the sum of exp(X) over each slice.

    D2L 4.4, softmax regression from scratch:
    https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html

    What to implement
        softmax(X)_i = exp(X_i) / sum_j exp(X_j), where i and j run along `dim`.

    Shapes
        X has any rank >= 1; `dim` may be negative (-1 is the last dimension) or positive.
        The result has the same shape, dtype (float32 or float64) and device as X, and every
        slice along `dim` sums to 1.

    Conventions
        - Numerically stable: a slice such as (1000, 0, -1000) or (-5000, -5001, -5002) must
          give finite, correct values. Softmax does not change when a constant is subtracted
          from a whole slice, so subtract each slice's own maximum along `dim` before exp.
          One global maximum X.max() is not enough.
        - Do not modify X in place (no `X -= ...`), and keep everything in torch so that
          gradients flow back to X.
        - Create no tensor on a hard-coded device.

    Forbidden
        torch.softmax, torch.nn.functional.softmax, Tensor.softmax, nn.Softmax, every
        log_softmax, torch.special.softmax. Everything else in torch is allowed
        (exp, sum, max / amax, ...).
    """
    raise NotImplementedError("softmax: fill in this function")
