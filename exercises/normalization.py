"""Exercise normalization (the course notes beside D2L 8.5; D2L 11.7): layer and instance normalisation."""

import torch


def layer_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Normalise every example of X over its trailing dimensions, the ones gamma is shaped like.

    D2L 11.7 (the Transformer's AddNorm uses nn.LayerNorm), and the course notes beside D2L 8.5:
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/transformer.html
    https://d2l.ai/chapter_convolutional-modern/batch-norm.html

    What to implement
        The normalised dimensions are the last gamma.dim() dimensions of X. For each index of the
        leading dimensions: mean and variance over the normalised ones, then
            Y = gamma * (X - mean) / sqrt(var + eps) + beta.
        The result must equal torch.nn.functional.layer_norm(X, gamma.shape, gamma, beta, eps).

    Shapes
        gamma and beta: X.shape[-k:] for some k >= 1, e.g. (D,) for X (batch, steps, D),
        (C, H, W) or (H, W) for X (N, C, H, W). Y: X's shape, dtype and device.

    Conventions
        - The biased variance (divide by n, not n - 1), with eps inside the square root.
        - Batch normalisation averages over the batch; layer normalisation never does: every
          example is normalised on its own.
        - Gradients flow to X, gamma and beta; do not modify the arguments in place.

    Forbidden
        F.layer_norm, F.instance_norm, F.batch_norm, F.group_norm, F.rms_norm (and torch.*),
        nn.LayerNorm and every other norm module. Allowed: mean, var(correction=0), var_mean, rsqrt.
    """
    raise NotImplementedError("layer_norm: fill in this function")


def instance_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Normalise every channel of every example of X (N, C, H, W) on its own, over H and W.

    The course notes beside D2L 8.5, batch normalisation:
    https://d2l.ai/chapter_convolutional-modern/batch-norm.html

    What to implement
        For each n and c: mean and variance of X[n, c] over H and W, then
            Y[n, c] = gamma[c] * (X[n, c] - mean) / sqrt(var + eps) + beta[c].
        The result must equal torch.nn.functional.instance_norm(X, weight=gamma, bias=beta, eps=eps).

    Shapes
        X (N, C, H, W); gamma and beta (C,), like nn.InstanceNorm2d(C, affine=True)'s parameters
        (not batch_norm's (1, C, 1, 1): reshape them to broadcast over (N, C, H, W)).
        Y: X's shape, dtype and device.

    Conventions
        - The biased variance, eps inside the square root; no running statistics.
        - Batch norm averages over (N, H, W) per channel, layer norm over (C, H, W) per example,
          instance norm over (H, W) per example and channel.
        - Gradients flow to X, gamma and beta; do not modify the arguments in place.

    Forbidden
        As for layer_norm: every torch normalisation routine and module (F.instance_norm,
        F.batch_norm, F.layer_norm, F.group_norm, F.rms_norm, nn.InstanceNorm2d, ...).
    """
    raise NotImplementedError("instance_norm: fill in this function")
