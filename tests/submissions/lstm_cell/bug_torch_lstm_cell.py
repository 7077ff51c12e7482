"""BUG: packs the book's parameters into PyTorch's layout and calls torch.lstm_cell.

The values are right; the routine is the one the exercise asks to write.
expect: fail forbidden routine
"""
import torch


def lstm_cell(X, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    w_ih = torch.cat([W_xi, W_xf, W_xc, W_xo], dim=1).T
    w_hh = torch.cat([W_hi, W_hf, W_hc, W_ho], dim=1).T
    b_ih = torch.cat([b_i, b_f, b_c, b_o])
    return torch.lstm_cell(X, state, w_ih, w_hh, b_ih, torch.zeros_like(b_ih))
