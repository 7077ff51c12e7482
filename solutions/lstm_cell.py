"""Reference solution for the lstm_cell exercise (D2L 10.1): one step of a long short-term memory cell."""

import torch


def lstm_cell(X: torch.Tensor, state, params):
    """Return (H_new, C_new) after one LSTM step on X (batch, num_inputs) from state = (H, C).

    params = (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c), the book's order.
    """
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    H, C = state
    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)          # input gate
    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)          # forget gate
    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)          # output gate
    C_tilde = torch.tanh(X @ W_xc + H @ W_hc + b_c)       # candidate memory cell
    C_new = F * C + I * C_tilde
    H_new = O * torch.tanh(C_new)
    return H_new, C_new
