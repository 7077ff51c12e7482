"""Reference solution for the positional_encoding exercise (D2L 11.6): the sinusoidal positional encoding."""

import torch


def positional_encoding(num_steps: int, num_hiddens: int, dtype: torch.dtype = torch.float32,
                        device: torch.device | str | None = None) -> torch.Tensor:
    """Return the (num_steps, num_hiddens) encoding: P[i, 2j] = sin(i / 10000 ** (2j / d)), P[i, 2j + 1] = cos(...).

    Computed in float64 and converted, so float32 results are correctly rounded; for an odd d the
    last column is a sine (its cosine would be column d, past the end).
    """
    positions = torch.arange(num_steps, dtype=torch.float64, device=device)[:, None]
    frequencies = torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float64, device=device) / num_hiddens)
    angles = positions / frequencies                                   # (num_steps, ceil(d / 2))
    P = torch.zeros(num_steps, num_hiddens, dtype=torch.float64, device=device)
    P[:, 0::2] = torch.sin(angles)
    P[:, 1::2] = torch.cos(angles[:, :num_hiddens // 2])
    return P.to(dtype)
