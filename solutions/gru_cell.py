"""Reference solution for the gru_cell exercise (D2L 10.2): one step of a gated recurrent unit, in the book's form."""

import torch


def gru_cell(X: torch.Tensor, H: torch.Tensor, params) -> torch.Tensor:
    """Return the new hidden state (batch, num_hiddens) after one GRU step on X (batch, num_inputs).

    params = (W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h), the book's order. The reset
    gate scales H before the product with W_hh, as in the book (nn.GRUCell differs).
    """
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)              # update gate
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)              # reset gate
    H_tilde = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)     # candidate hidden state
    return Z * H + (1 - Z) * H_tilde
