"""Exercise dropout (D2L 5.6 and 3.7): write dropout from scratch, and the L2 penalty of weight decay."""

import torch


def dropout_layer(X: torch.Tensor, dropout: float) -> torch.Tensor:
    """Zero each element of X with probability `dropout`; scale the kept ones by 1 / (1 - dropout).

    D2L 5.6, dropout (implementation from scratch):
    https://d2l.ai/chapter_multilayer-perceptrons/dropout.html

    What to implement
        Draw a fresh random mask on every call: keep an element when a uniform random number
        is greater than `dropout`. Return mask * X / (1 - dropout), same shape, dtype and device
        as X. dropout == 1 returns zeros shaped like X; dropout == 0 returns X.

    Conventions
        - Graded statistically over many elements and calls: the share of kept elements, a new
          mask each call, the scale of the kept values, the gradient (mask / (1 - dropout)).
        - Never modify X in place, and keep everything in torch so gradients flow back to X.
        - Editions: the book draws the mask with torch.rand(X.shape), which is on the CPU
          whatever X's device; use torch.rand(X.shape, device=X.device) or torch.rand_like(X).
          The Chinese second edition numbers this section 4.6.

    Forbidden
        F.dropout, nn.Dropout, torch.dropout and their variants. torch.rand and torch.bernoulli
        are allowed.
    """
    raise NotImplementedError("dropout_layer: fill in this function")


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """Return the L2 penalty of weight decay: the sum of w's squared elements, halved (D2L 3.7).

    https://d2l.ai/chapter_linear-regression/weight-decay.html
    A 0-dimensional tensor with w's dtype; gradients flow back to w.
    (Part of the dropout exercise: https://d2l.ai/chapter_multilayer-perceptrons/dropout.html)

    Forbidden: nothing beyond the dropout routines.
    """
    raise NotImplementedError("l2_penalty: fill in this function")
