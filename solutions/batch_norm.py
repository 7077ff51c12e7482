"""Reference solution for the batch_norm exercise (D2L 8.5): batch normalization from scratch, with the book's moving averages."""

import torch


def batch_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               moving_mean: torch.Tensor, moving_var: torch.Tensor,
               eps: float = 1e-5, momentum: float = 0.9,
               training: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Normalise X and return (Y, new_moving_mean, new_moving_var).

    X is (batch, features) with the other tensors shaped (1, features), or
    (batch, channels, H, W) with them shaped (1, channels, 1, 1). In training the batch's
    mean and biased variance are used and the moving statistics are updated as
    new = momentum * old + (1 - momentum) * batch_statistic (the book's convention, not
    nn.BatchNorm2d's). In evaluation the moving statistics are used and returned as given.
    """
    if not training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    if X.dim() == 2:
        dims = (0,)            # per feature, over the batch
    elif X.dim() == 4:
        dims = (0, 2, 3)       # per channel, over the batch, height and width
    else:
        raise ValueError(f"batch_norm expects 2-D or 4-D input, got {X.dim()}-D")
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)   # biased: divides by n
    X_hat = (X - mean) / torch.sqrt(var + eps)
    Y = gamma * X_hat + beta
    # New tensors, never an in-place update of the caller's. Like the book (which returns
    # `.data`), the running statistics are bookkeeping, kept out of the autograd graph;
    # gradients flow through Y only.
    new_moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()
    new_moving_var = momentum * moving_var + (1.0 - momentum) * var.detach()
    return Y, new_moving_mean, new_moving_var
