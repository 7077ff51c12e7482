"""Reference solution for the xavier_init exercise (D2L 5.4): Xavier (Glorot) uniform initialization, in place."""

import math

import torch


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill `tensor` in place with U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)); return it.

    Fans as PyTorch computes them: dimension 1 is the input, dimension 0 the output, and every
    further dimension (a convolution's kernel) multiplies both by the receptive field.
    """
    if tensor.dim() < 2:
        raise ValueError("xavier_uniform_ needs a tensor with at least 2 dimensions")
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= size
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-a, a)
    return tensor
