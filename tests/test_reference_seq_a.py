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


# ----------------------------------------------------------------------------- rnn_scratch


def _rnn_inputs(g, dtype):
    steps, batch, vocab, hiddens, outputs = (randint(g, 1, 5), randint(g, 1, 4), randint(g, 2, 6),
                                             randint(g, 2, 6), randint(g, 2, 5))
    inputs = randn(g, steps, batch, vocab, dtype=dtype, requires_grad=True)
    H = randn(g, batch, hiddens, dtype=dtype, requires_grad=True)
    params = tuple(randn(g, *shape, dtype=dtype, requires_grad=True) for shape in
                   ((vocab, hiddens), (hiddens, hiddens), (hiddens,), (hiddens, outputs), (outputs,)))
    return inputs, (H,), params


def _nn_rnn(inputs, state, params):
    """nn.RNN (tanh, time first) on the book's parameters, transposed, plus the book's output layer."""
    W_xh, W_hh, b_h, W_hq, b_q = params
    layer = nn.RNN(W_xh.shape[0], W_xh.shape[1], dtype=inputs.dtype)
    weights = {"weight_ih_l0": W_xh.T, "weight_hh_l0": W_hh.T, "bias_ih_l0": b_h,
               "bias_hh_l0": torch.zeros_like(b_h)}
    Hs, H_last = functional_call(layer, weights, (inputs, state[0][None]))
    return (Hs @ W_hq + b_q).reshape(-1, W_hq.shape[1]), (H_last[0],)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_matches_nn_rnn_with_gradients(seed, dtype):
    g = gen(seed)
    inputs, state, params = _rnn_inputs(g, dtype)
    Y, (H,) = ref("rnn_scratch", "rnn")(inputs, state, params)
    want_Y, (want_H,) = _nn_rnn(inputs, state, params)
    assert Y.shape == (inputs.shape[0] * inputs.shape[1], params[3].shape[1]) and Y.dtype == dtype
    assert_close(Y, want_Y)
    assert_close(H, want_H)
    leaves = (inputs,) + state + params
    wY, wH = torch.randn(Y.shape, generator=g, dtype=dtype), torch.randn(H.shape, generator=g, dtype=dtype)
    got = torch.autograd.grad((Y * wY).sum() + (H * wH).sum(), leaves)
    want = torch.autograd.grad((want_Y * wY).sum() + (want_H * wH).sum(), leaves)
    for a, b in zip(got, want):
        assert_close(a, b, dtype)


def _with_grads(g, shapes, scale):
    params = [randn(g, *s, requires_grad=True) for s in shapes]
    for p in params:
        p.grad = randn(g, *p.shape) * scale
    return params


@pytest.mark.parametrize("scale", [0.05, 0.3, 3.0, 50.0])
@pytest.mark.parametrize("seed", SEEDS)
def test_grad_clipping_matches_clip_grad_norm(seed, scale):
    """clip_grad_norm_ scales by min(1, max_norm / (norm + 1e-6)): the book's rule, up to that 1e-6."""
    shapes = ((3, 2), (2,), (4, 1))
    mine, theirs = _with_grads(gen(seed), shapes, scale), _with_grads(gen(seed), shapes, scale)
    values = [p.detach().clone() for p in mine]
    grads = [p.grad for p in mine]
    ref("rnn_scratch", "grad_clipping")(mine, 1.0)
    torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.0)
    for p, q, v, grad in zip(mine, theirs, values, grads):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-5, atol=1e-12)
        assert p.grad is grad  # in place
        assert torch.equal(p.detach(), v)
    total = torch.sqrt(sum((p.grad ** 2).sum() for p in mine))
    assert float(total) <= 1.0 + 1e-9


def test_grad_clipping_uses_one_norm_over_all_gradients():
    """Norms 3 and 4 with theta 4.5: each is below theta, their global norm 5 is not, so both shrink by 0.9."""
    p, q = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    p.grad, q.grad = torch.tensor([3.0, 0.0]), torch.tensor([4.0])
    ref("rnn_scratch", "grad_clipping")([p, q], 4.5)
    torch.testing.assert_close(p.grad, torch.tensor([2.7, 0.0]))
    torch.testing.assert_close(q.grad, torch.tensor([3.6]))


# ----------------------------------------------------------------------------- seq2seq_loss


def test_sequence_mask_prints_the_books_values():
    """D2L 10.7 (9.7 in Chinese) prints [[1, 0, 0], [4, 5, 0]] and, with value=-1, ones masked past 1 and 2."""
    X = torch.tensor([[1, 2, 3], [4, 5, 6]])
    assert torch.equal(ref("seq2seq_loss", "sequence_mask")(X, torch.tensor([1, 2])), torch.tensor([[1, 0, 0], [4, 5, 0]]))
    assert torch.equal(X, torch.tensor([[1, 2, 3], [4, 5, 6]]))  # the caller's X is left alone
    got = ref("seq2seq_loss", "sequence_mask")(torch.ones(2, 3, 4), torch.tensor([1, 2]), value=-1)
    want = torch.ones(2, 3, 4)
    want[0, 1:], want[1, 2:] = -1, -1
    assert torch.equal(got, want)


def test_masked_loss_prints_the_books_values():
    loss = ref("seq2seq_loss", "masked_softmax_ce_loss")(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long),
                                                         torch.tensor([4, 2, 0]))
    torch.testing.assert_close(loss, torch.tensor([2.3026, 1.1513, 0.0]), rtol=0, atol=1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_masked_loss_matches_cross_entropy_over_the_valid_steps(seed, dtype):
    """Each sequence: nn.CrossEntropyLoss(reduction='sum') over its valid steps only, divided by num_steps."""
    g = gen(seed)
    batch, steps, vocab = randint(g, 1, 5), randint(g, 1, 6), randint(g, 2, 7)
    pred = randn(g, batch, steps, vocab, dtype=dtype, requires_grad=True)
    label = torch.randint(vocab, (batch, steps), generator=g)
    valid_len = torch.randint(0, steps + 1, (batch,), generator=g)
    got = ref("seq2seq_loss", "masked_softmax_ce_loss")(pred, label, valid_len)
    summed = nn.CrossEntropyLoss(reduction="sum")
    want = torch.stack([summed(pred[i, :n], label[i, :n]) if n else pred.new_zeros(()) for i, n in
                        enumerate(valid_len.tolist())]) / steps
    assert got.shape == (batch,) and got.dtype == dtype
    assert_close(got, want)
    w = torch.randn(batch, generator=g, dtype=dtype)
    assert_close(torch.autograd.grad((got * w).sum(), pred)[0], torch.autograd.grad((want * w).sum(), pred)[0], dtype)
