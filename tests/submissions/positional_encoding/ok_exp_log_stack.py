"""OK: the Annotated Transformer's frequencies, exp(-2j * log(10000) / d), with sines and cosines
interleaved by stacking them on a new last axis and flattening, the extra cosine cut off for an odd d.

expect: pass
"""
import math

import torch


def positional_encoding(num_steps, num_hiddens, dtype=torch.float32, device=None):
    position = torch.arange(num_steps, dtype=dtype, device=device).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, num_hiddens, 2, dtype=dtype, device=device) * -(math.log(10000.0) / num_hiddens))
    angles = position * div_term
    pairs = torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1)      # (num_steps, n_freq, 2)
    return pairs.flatten(1)[:, :num_hiddens]
