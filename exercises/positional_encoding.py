"""Exercise positional_encoding (D2L 11.6): the Transformer's sinusoidal positional encoding."""

import torch


def positional_encoding(num_steps: int, num_hiddens: int, dtype: torch.dtype = torch.float32,
                        device: torch.device | str | None = None) -> torch.Tensor:
    """Return the (num_steps, num_hiddens) sinusoidal positional encoding P.

    D2L 11.6, self-attention and positional encoding:
    https://d2l.ai/chapter_attention-mechanisms-and-transformers/self-attention-and-positional-encoding.html

    What to implement
        For position i (0, 1, ..., num_steps - 1) and each pair of columns 2j, 2j + 1:
            P[i, 2j]     = sin(i / 10000 ** (2j / num_hiddens))
            P[i, 2j + 1] = cos(i / 10000 ** (2j / num_hiddens))
        The sine and the cosine of one frequency sit side by side (interleaved: P[:, 0::2] and
        P[:, 1::2]), not all sines first and all cosines after.

    Shapes
        The result is (num_steps, num_hiddens): the book's self.P[0, :num_steps] (the book keeps
        a (1, max_len, num_hiddens) table inside its PositionalEncoding module).

    Conventions
        - An odd num_hiddens is allowed: every column follows the formula, so the last column is a
          sine and has no cosine partner. (The book's P[:, :, 1::2] = torch.cos(X) raises a shape
          error there: give the cosines only the first num_hiddens // 2 frequencies.)
        - The result has the given dtype and device; without them, float32 on the CPU as in the
          book. Create every tensor with device=device, and compute in the dtype asked for: a
          float64 result computed in float32 and converted at the end is off by ~1e-7.
        - Both editions (Chinese second, English) use the same formula.

    Forbidden
        Nothing: torch has no routine for this encoding, so every routine is allowed.
    """
    raise NotImplementedError("positional_encoding: fill in this function")
