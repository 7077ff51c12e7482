"""BUG: no torch.no_grad(), and requires_grad switched off to dodge the error: a frozen EMA gains a graph
from the model's parameters (its tensors stop being leaves).

expect: fail no graph through the update
"""


def ema_update(ema_model, model, gamma):
    for ema_p, p in zip(ema_model.parameters(), model.parameters()):
        if ema_p.requires_grad:
            ema_p.detach().mul_(1 - gamma).add_(p.detach(), alpha=gamma)
        else:
            ema_p.mul_(1 - gamma).add_(p, alpha=gamma)
    for ema_b, b in zip(ema_model.buffers(), model.buffers()):
        if ema_b.dtype.is_floating_point:
            ema_b.mul_(1 - gamma).add_(b, alpha=gamma)
        else:
            ema_b.copy_(b)
