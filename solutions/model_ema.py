"""Reference solution for model_ema (Polyak averaging, timm's ModelEmaV2): one EMA step of a model, in place."""

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
