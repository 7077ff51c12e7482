"""Reference solution for the model_ema exercise (Polyak averaging as timm's ModelEmaV2 keeps it): one
exponential-moving-average step of a model's parameters and buffers, in place."""

import torch


def ema_update(ema_model: torch.nn.Module, model: torch.nn.Module, gamma: float) -> None:
    """W_bar <- gamma * W + (1 - gamma) * W_bar for every parameter and floating buffer; integer buffers copied."""
    with torch.no_grad():
        for ema_p, p in zip(ema_model.parameters(), model.parameters()):
            ema_p.mul_(1 - gamma).add_(p, alpha=gamma)
        for ema_b, b in zip(ema_model.buffers(), model.buffers()):
            if ema_b.dtype.is_floating_point:
                ema_b.mul_(1 - gamma).add_(b, alpha=gamma)
            else:  # num_batches_tracked: a count, copied
                ema_b.copy_(b)
