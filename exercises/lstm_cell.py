"""Exercise lstm_cell (D2L 10.1): write one step of a long short-term memory cell, in the book's form."""

import torch


def lstm_cell(X: torch.Tensor, state, params):
    """Return (H_new, C_new), the new hidden state and memory cell after one LSTM step.

    D2L 10.1, long short-term memory (LSTM), from scratch:
    https://d2l.ai/chapter_recurrent-modern/lstm.html

    What to implement
        I       = sigmoid(X @ W_xi + H @ W_hi + b_i)         input gate
        F       = sigmoid(X @ W_xf + H @ W_hf + b_f)         forget gate
        O       = sigmoid(X @ W_xo + H @ W_ho + b_o)         output gate
        C_tilde = tanh(X @ W_xc + H @ W_hc + b_c)            candidate memory cell
        C_new   = F * C + I * C_tilde
        H_new   = O * tanh(C_new)

    Shapes
        X (batch, num_inputs); state = (H, C), each (batch, num_hiddens);
        params = (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c), in that
        order (the book's order), with W_x* (num_inputs, num_hiddens), W_h* (num_hiddens,
        num_hiddens) and b_* (num_hiddens,). Return the tuple (H_new, C_new), in X's dtype
        and on X's device.

    Conventions (where D2L differs from PyTorch)
        - The book's `lstm(inputs, state, params)` loops over time steps and also applies the
          output layer W_hq, b_q; this exercise is the body of that loop without the output
          layer, so params holds the twelve gate parameters only.
        - nn.LSTMCell stacks its gates in the order i, f, g (candidate), o, not the book's
          i, f, o, c; unpack the parameters in the book's order.
        - The new hidden state uses the *new* memory cell: H_new = O * tanh(C_new).
        - Gradients must flow to X, H, C and every parameter; modify nothing in place.

    Forbidden
        nn.LSTM, nn.LSTMCell, torch.lstm, torch.lstm_cell, torch._VF.lstm*.
    """
    raise NotImplementedError("lstm_cell: fill in this function")
