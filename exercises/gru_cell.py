"""Exercise gru_cell (D2L 10.2): write one step of a gated recurrent unit, in the book's form."""

import torch


def gru_cell(X: torch.Tensor, H: torch.Tensor, params) -> torch.Tensor:
    """Return the new hidden state after one GRU step.

    D2L 10.2, gated recurrent units (GRU), from scratch:
    https://d2l.ai/chapter_recurrent-modern/gru.html

    What to implement
        Z       = sigmoid(X @ W_xz + H @ W_hz + b_z)          update gate
        R       = sigmoid(X @ W_xr + H @ W_hr + b_r)          reset gate
        H_tilde = tanh(X @ W_xh + (R * H) @ W_hh + b_h)       candidate hidden state
        H_new   = Z * H + (1 - Z) * H_tilde

    Shapes
        X (batch, num_inputs); H (batch, num_hiddens);
        params = (W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h), in that order (the
        book's order), with W_x* (num_inputs, num_hiddens), W_h* (num_hiddens, num_hiddens)
        and b_* (num_hiddens,). Result: (batch, num_hiddens), X's dtype and device.

    Conventions (where D2L differs from PyTorch)
        - The reset gate scales H *before* the product with W_hh: (R * H) @ W_hh.
          nn.GRUCell applies it after the product, R * (H @ W_hh + b_hn), so it is not a
          drop-in check of your answer.
        - Z near 1 keeps the old state H.
        - Gradients must flow to X, H and every parameter; modify nothing in place.

    Forbidden
        nn.GRU, nn.GRUCell, torch.gru, torch.gru_cell, torch._VF.gru*.
    """
    raise NotImplementedError("gru_cell: fill in this function")
