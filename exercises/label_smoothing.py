"""Exercise label_smoothing (beyond D2L 4.4; Szegedy et al. 2016): soft-target and label-smoothed cross-entropy."""

import torch


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the cross-entropy of logits (n, K) against target distributions (n, K), averaged over the n examples.

    Beside D2L 4.4, the cross-entropy loss (there the target is one-hot and the model outputs probabilities):
    https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html

    What to implement
        loss = mean over i of  - sum_k target[i, k] * log_softmax(logits[i])[k].
        The result must equal torch.nn.functional.cross_entropy(logits, target) (probability targets).

    Shapes
        logits (n, K) any real scores; target (n, K), each row non-negative and summing to 1 (zeros allowed).
        Result: shape (), a 0-dimensional tensor in logits' dtype and on its device.

    Conventions
        - Averaged over the examples: not summed, and not averaged over the classes.
        - Stable for logits of +-1000: log_softmax(x) = x - logsumexp(x), never log(softmax(x)) (a
          probability that underflows to 0 gives log 0 = -inf, and 0 * -inf = nan).
        - Gradients flow to logits; do not modify the arguments.

    Forbidden
        F.cross_entropy and nn.CrossEntropyLoss. Allowed: log_softmax, logsumexp, softmax.
    """
    raise NotImplementedError("soft_cross_entropy: fill in this function")


def label_smoothing_loss(logits: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """Return the cross-entropy of logits (n, K) against the labels y (n,) smoothed by eps, averaged over the examples.

    Szegedy et al., Rethinking the Inception Architecture for Computer Vision (CVPR 2016), section 7:
    https://arxiv.org/abs/1512.00567

    What to implement
        The smoothed target of example i: 1 - eps + eps / K on its class y[i], eps / K on every other class,
        that is (1 - eps) * one_hot(y[i]) + eps / K. Then the soft cross-entropy of the logits against
        these targets, averaged over the examples.
        The result must equal torch.nn.functional.cross_entropy(logits, y, label_smoothing=eps).

    Shapes
        logits (n, K); y (n,) int64 labels in [0, K); 0 <= eps <= 1. Result: shape (), in logits' dtype.

    Conventions
        - eps / K on every class, the true one included (the uniform distribution over all K classes):
          not eps / (K - 1) on the other classes.
        - eps = 0 is the plain cross-entropy; eps = 1 the cross-entropy against the uniform distribution.
        - Stable for logits of +-1000; targets in logits' dtype and on its device; gradients flow to
          logits; do not modify the arguments.

    Forbidden
        F.cross_entropy (label_smoothing=...) and nn.CrossEntropyLoss.
    """
    raise NotImplementedError("label_smoothing_loss: fill in this function")
