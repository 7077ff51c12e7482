"""Exercise batch_norm (D2L 8.5): write batch normalization from scratch, with the book's moving averages."""

import torch


def batch_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               moving_mean: torch.Tensor, moving_var: torch.Tensor,
               eps: float = 1e-5, momentum: float = 0.9,
               training: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Normalise X; return (Y, new_moving_mean, new_moving_var).

    D2L 8.5, batch normalization from scratch:
    https://d2l.ai/chapter_convolutional-modern/batch-norm.html

    What to implement
        Training (training=True):
            mean, var = the batch's mean and *biased* variance (divide by n, not n - 1)
            Y = gamma * (X - mean) / sqrt(var + eps) + beta
            new_moving_mean = momentum * moving_mean + (1 - momentum) * mean
            new_moving_var  = momentum * moving_var  + (1 - momentum) * var
        Evaluation (training=False):
            Y = gamma * (X - moving_mean) / sqrt(moving_var + eps) + beta
            and return moving_mean and moving_var unchanged.

    Shapes
        2-D X (batch, features): statistics per feature, over the batch (dim 0);
            gamma, beta, moving_mean, moving_var are (1, features).
        4-D X (batch, channels, H, W): statistics per channel, over batch, height and width
            (dims 0, 2, 3); the other tensors are (1, channels, 1, 1).
        Y has X's shape; the moving statistics keep their shape. Everything keeps X's dtype
        and device.

    Conventions (where D2L differs from PyTorch)
        - momentum follows the book, with momentum=0.9 meaning "keep 90% of the old value".
          nn.BatchNorm2d's `momentum` weights the other way round (its 0.1 is our 0.9), and
          so does the English 1.0 edition of the book.
        - The variance is the biased one. X.var() divides by n - 1 unless you pass
          correction=0; nn.BatchNorm2d's running_var uses the unbiased one.
        - Never modify moving_mean or moving_var in place: return new tensors.
        - Gradients must flow to X, gamma and beta.
        - Create no tensor on a hard-coded device.

    Forbidden
        F.batch_norm, torch.batch_norm, torch.native_batch_norm, every nn.BatchNorm*,
        F.instance_norm, F.layer_norm, F.group_norm.
    """
    raise NotImplementedError("batch_norm: fill in this function")
