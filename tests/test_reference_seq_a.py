"""Check the sequence references (lstm_cell, rnn_scratch, seq2seq_loss) against independent
implementations: torch's own routines, with the book's conventions converted."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.func import functional_call

from tests.test_reference import DTYPES, SEEDS, assert_close, gen, randint, randn, ref

# ----------------------------------------------------------------------------- lstm_cell


def _lstm_inputs(g, dtype):
    batch, num_inputs, num_hiddens = randint(g, 1, 4), randint(g, 1, 5), randint(g, 2, 6)
    X = randn(g, batch, num_inputs, dtype=dtype, requires_grad=True)
    H = randn(g, batch, num_hiddens, dtype=dtype, requires_grad=True)
    C = randn(g, batch, num_hiddens, dtype=dtype, requires_grad=True) * 2
    params = []
    for _ in range(4):  # the book's order: i, f, o, c; each W_x (in, h), W_h (h, h), b (h,)
        params += [randn(g, num_inputs, num_hiddens, dtype=dtype, requires_grad=True),
                   randn(g, num_hiddens, num_hiddens, dtype=dtype, requires_grad=True),
                   randn(g, num_hiddens, dtype=dtype, requires_grad=True)]
    return X, (H, C), tuple(params)


def _nn_lstm_cell(X, state, params):
    """nn.LSTMCell on the book's parameters: PyTorch stacks its gates i, f, g (candidate), o, with
    (4h, in) weights and two biases; the book's order is i, f, o, c with (in, h) weights and one bias."""
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = params
    num_inputs, num_hiddens = W_xi.shape
    cell = nn.LSTMCell(num_inputs, num_hiddens, dtype=X.dtype)
    weights = {"weight_ih": torch.cat([W_xi, W_xf, W_xc, W_xo], dim=1).T,
               "weight_hh": torch.cat([W_hi, W_hf, W_hc, W_ho], dim=1).T,
               "bias_ih": torch.cat([b_i, b_f, b_c, b_o]),
               "bias_hh": torch.zeros(4 * num_hiddens, dtype=X.dtype)}
    return functional_call(cell, weights, (X, state))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_cell_matches_nn_lstmcell_with_gradients(seed, dtype):
    g = gen(seed)
    X, state, params = _lstm_inputs(g, dtype)
    H_new, C_new = ref("lstm_cell")(X, state, params)
    want_H, want_C = _nn_lstm_cell(X, state, params)
    assert H_new.dtype == dtype and H_new.shape == state[0].shape and C_new.shape == state[1].shape
    assert_close(H_new, want_H)
    assert_close(C_new, want_C)
    inputs = (X,) + state + params
    weights = [torch.randn(H_new.shape, generator=g, dtype=dtype) for _ in range(2)]
    got = torch.autograd.grad((H_new * weights[0]).sum() + (C_new * weights[1]).sum(), inputs)
    want = torch.autograd.grad((want_H * weights[0]).sum() + (want_C * weights[1]).sum(), inputs)
    for a, b in zip(got, want):
        assert_close(a, b, dtype)


def test_lstm_cell_keeps_the_memory_when_forget_is_open_and_input_closed():
    """F = 1, I = 0: C_new is the old C and H_new = O * tanh(C) (the book's gates, by hand)."""
    g = gen(5)
    X, (H, C), params = _lstm_inputs(g, torch.float64)
    params = list(params)
    params[5] = torch.full_like(params[5], 60.0)   # b_f: the forget gate is 1
    params[2] = torch.full_like(params[2], -60.0)  # b_i: the input gate is 0
    H_new, C_new = ref("lstm_cell")(X, (H, C), params)
    assert_close(C_new, C)
    O = torch.sigmoid(X @ params[6] + H @ params[7] + params[8])
    assert_close(H_new, O * torch.tanh(C))

