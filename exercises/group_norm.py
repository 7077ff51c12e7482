"""Exercise group_norm (beyond D2L 8.5; Wu & He 2018): group normalisation for any number of spatial dimensions."""

import torch


def group_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, num_groups: int,
               eps: float = 1e-5) -> torch.Tensor:
    """Normalise every group of consecutive channels of every example of X, then scale and shift each channel.

    Yuxin Wu and Kaiming He, Group Normalization (ECCV 2018), section 3.1 and figure 3:
    https://arxiv.org/abs/1803.08494
    Beside D2L 8.5 (batch normalisation) and the course's layer and instance normalisation:
    https://d2l.ai/chapter_convolutional-modern/batch-norm.html

    What to implement
        Split the C channels into num_groups groups of C // num_groups consecutive channels. For each
        example and each group: the mean and variance over the group's channels and every spatial
        position, then X_hat = (X - mean) / sqrt(var + eps). Then, per channel c:
            Y[:, c] = gamma[c] * X_hat[:, c] + beta[c].
        The result must equal torch.nn.functional.group_norm(X, num_groups, gamma, beta, eps).

    Shapes
        X (N, C, *): no, one, two or three spatial dimensions ((N, C), (N, C, L), (N, C, H, W),
        (N, C, D, H, W)). num_groups divides C. gamma and beta (C,), one per channel.
        Y: X's shape, dtype and device.

    Conventions
        - Group g holds channels g * C // num_groups ... (g + 1) * C // num_groups - 1: reshape to
          (N, num_groups, C // num_groups, ...), not (N, C // num_groups, num_groups, ...).
        - The biased variance (divide by n, not n - 1), with eps inside the square root.
        - num_groups = 1 is layer normalisation over (C, *); num_groups = C is instance normalisation.
        - Gradients flow to X, gamma and beta; do not modify the arguments in place.

    Forbidden
        F.group_norm, nn.GroupNorm and every other normalisation routine or module (F.layer_norm,
        F.instance_norm, F.batch_norm, F.rms_norm, torch.*, nn.LayerNorm, nn.InstanceNorm*, ...).
        Allowed: mean, var(correction=0), var_mean, rsqrt, reshape, einsum.
    """
    raise NotImplementedError("group_norm: fill in this function")
