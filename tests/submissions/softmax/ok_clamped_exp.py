"""OK: clamps the shifted exponents from below before exp, a common "avoid underflow" habit.

After subtracting each slice's maximum every exponent is <= 0; clamping at -80 (float32) /
-700 (float64) changes only values below 1e-34 / 1e-304, which the comparison treats as 0.
expect: pass
"""
import torch


def softmax(X, dim=-1):
    floor = -80.0 if X.dtype == torch.float32 else -700.0
    z = (X - X.amax(dim, keepdim=True)).clamp(min=floor)
    e = z.exp()
    return e / e.sum(dim, keepdim=True)
