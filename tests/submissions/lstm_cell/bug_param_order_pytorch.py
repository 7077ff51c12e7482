"""BUG: unpacks the parameters in nn.LSTMCell's gate order (i, f, g, o): the candidate's
parameters are taken for the output gate's and the other way round. Every shape still fits.

expect: fail parameter order
"""
import torch


def lstm_cell(X, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xc, W_hc, b_c, W_xo, W_ho, b_o = params
    H, C = state
    I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
    F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
    O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
    C_tilde = torch.tanh(X @ W_xc + H @ W_hc + b_c)
    C_new = F * C + I * C_tilde
    return O * torch.tanh(C_new), C_new
