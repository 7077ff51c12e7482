"""BUG: the update outside torch.no_grad(): a parameter that requires grad refuses an in-place change, and a
frozen EMA gains a graph from the model's parameters.

expect: fail moving average, no graph through the update
"""


def ema_update(ema_model, model, gamma):
    for ema_p, p in zip(ema_model.parameters(), model.parameters()):
        ema_p.mul_(1 - gamma).add_(p, alpha=gamma)
    for ema_b, b in zip(ema_model.buffers(), model.buffers()):
        if ema_b.dtype.is_floating_point:
            ema_b.mul_(1 - gamma).add_(b, alpha=gamma)
        else:
            ema_b.copy_(b)
