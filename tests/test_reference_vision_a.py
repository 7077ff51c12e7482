"""Check the vision-a references (pool2d, normalization, trans_conv) against independent
implementations: torch's own routines, and the values D2L prints."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.test_reference import DTYPES, SEEDS, assert_close, assert_grads_close, gen, randint, randn, ref

# ----------------------------------------------------------------------------- pool2d

#: (pool_size, stride, padding): stride None is the default (pool_size); padding at most half the window.
POOL_SETTINGS = [(2, None, 0), (3, 2, 1), ((2, 3), (2, 3), (0, 1)), ((3, 2), 1, (1, 0)), (2, (1, 2), 1),
                 ((1, 3), None, (0, 1))]


def _distinct(g, *shape, dtype):
    """No ties in any window, so max pooling's gradient has one place to go."""
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n, generator=g).to(dtype).reshape(shape) / 3 - n / 6).requires_grad_()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("pool_size, stride, padding", POOL_SETTINGS)
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_matches_torch_with_gradients(seed, dtype, pool_size, stride, padding, mode):
    g = gen(seed)
    N, C = randint(g, 1, 3), randint(g, 1, 3)
    H, W = randint(g, 4, 9), randint(g, 4, 9)
    X = _distinct(g, N, C, H, W, dtype=dtype)
    Y = ref("pool2d")(X, pool_size, stride, padding, mode)
    routine = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = routine(X, pool_size, stride, padding)  # avg_pool2d: count_include_pad=True by default
    assert Y.shape == expected.shape and Y.dtype == dtype
    assert_close(Y, expected)
    assert_grads_close(Y, expected, (X,), seed, dtype)


def test_pool2d_prints_the_books_values():
    """D2L 7.5: a 2x2 window at stride 1 over 0..8, nn.MaxPool2d(3), (3, padding=1, stride=2), the
    (2, 3) window with stride (2, 3) and padding (0, 1), and two channels."""
    pool2d = ref("pool2d")
    X = torch.arange(9.0).reshape(1, 1, 3, 3)
    torch.testing.assert_close(pool2d(X, (2, 2), 1), torch.tensor([[[[4.0, 5.0], [7.0, 8.0]]]]))
    torch.testing.assert_close(pool2d(X, (2, 2), 1, mode="avg"), torch.tensor([[[[2.0, 3.0], [5.0, 6.0]]]]))
    X = torch.arange(16.0).reshape(1, 1, 4, 4)
    torch.testing.assert_close(pool2d(X, 3), torch.tensor([[[[10.0]]]]))
    torch.testing.assert_close(pool2d(X, 3, padding=1, stride=2), torch.tensor([[[[5.0, 7.0], [13.0, 15.0]]]]))
    torch.testing.assert_close(pool2d(X, (2, 3), stride=(2, 3), padding=(0, 1)),
                               torch.tensor([[[[5.0, 7.0], [13.0, 15.0]]]]))
    X = torch.cat((X, X + 1), 1)
    torch.testing.assert_close(pool2d(X, 3, padding=1, stride=2),
                               torch.tensor([[[[5.0, 7.0], [13.0, 15.0]], [[6.0, 8.0], [14.0, 16.0]]]]))


# ----------------------------------------------------------------------------- normalization

#: (X's shape, the number of trailing dimensions gamma covers)
LAYER_SHAPES = [((4, 6), 1), ((2, 3, 5), 1), ((2, 3, 5), 2), ((2, 3, 4, 5), 3), ((3, 2, 4, 4), 2), ((2, 2, 3, 4), 1)]


def _spread(g, shape, dtype):
    """Every example and channel its own scale and offset, so the three normalisations differ."""
    stat = shape[:2] + (1,) * (len(shape) - 2)
    return (randn(g, *shape, dtype=dtype) * (torch.rand(stat, generator=g, dtype=dtype) * 3 + 0.2)
            + randn(g, *stat, dtype=dtype) * 2).requires_grad_()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape, k", LAYER_SHAPES)
@pytest.mark.parametrize("eps", [1e-5, 0.3])
def test_layer_norm_matches_torch_with_gradients(seed, dtype, shape, k, eps):
    g = gen(seed)
    X = _spread(g, shape, dtype)
    gamma = randn(g, *shape[-k:], dtype=dtype, requires_grad=True)
    beta = randn(g, *shape[-k:], dtype=dtype, requires_grad=True)
    Y = ref("normalization", "layer_norm")(X, gamma, beta, eps)
    expected = F.layer_norm(X, gamma.shape, gamma, beta, eps)
    assert Y.shape == X.shape and Y.dtype == dtype
    assert_close(Y, expected)
    assert_grads_close(Y, expected, (X, gamma, beta), seed, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 2, 4), (1, 2, 3, 3), (4, 1, 5, 2)])
@pytest.mark.parametrize("eps", [1e-5, 0.3])
def test_instance_norm_matches_torch_with_gradients(seed, dtype, shape, eps):
    g = gen(seed)
    X = _spread(g, shape, dtype)
    gamma = randn(g, shape[1], dtype=dtype, requires_grad=True)
    beta = randn(g, shape[1], dtype=dtype, requires_grad=True)
    Y = ref("normalization", "instance_norm")(X, gamma, beta, eps)
    expected = F.instance_norm(X, weight=gamma, bias=beta, eps=eps)
    assert Y.shape == X.shape and Y.dtype == dtype
    assert_close(Y, expected)
    assert_grads_close(Y, expected, (X, gamma, beta), seed, dtype)


def test_the_three_normalisations_differ_on_the_graders_shapes():
    """Batch, layer and instance normalisation of one (N > 1, C > 1) input are three different tensors."""
    X = _spread(gen(0), (2, 3, 2, 2), torch.float64).detach()
    ones, zeros = torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    instance = ref("normalization", "instance_norm")(X, ones, zeros)
    layer = ref("normalization", "layer_norm")(X, torch.ones(3, 2, 2, dtype=torch.float64),
                                               torch.zeros(3, 2, 2, dtype=torch.float64))
    batch = F.batch_norm(X, None, None, ones, zeros, training=True)
    assert not torch.allclose(instance, layer) and not torch.allclose(instance, batch)
    assert not torch.allclose(layer, batch)


# ----------------------------------------------------------------------------- trans_conv

TRANS_SETTINGS = [(1, 0), (2, 0), (2, 1), ((1, 2), (0, 1)), ((3, 2), (1, 0)), (2, (1, 2))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stride, padding", TRANS_SETTINGS)
@pytest.mark.parametrize("with_bias", [True, False])
def test_trans_conv_matches_conv_transpose2d_with_gradients(seed, dtype, stride, padding, with_bias):
    g = gen(seed)
    N, C_in, C_out = randint(g, 1, 3), randint(g, 1, 3), randint(g, 1, 4)
    kh, kw = randint(g, 3, 4), randint(g, 3, 5)  # at least 2 * padding + 1: the output is never empty
    H, W = randint(g, 1, 5), randint(g, 1, 5)
    X = randn(g, N, C_in, H, W, dtype=dtype, requires_grad=True)
    weight = randn(g, C_in, C_out, kh, kw, dtype=dtype, requires_grad=True)
    bias = randn(g, C_out, dtype=dtype, requires_grad=True) if with_bias else None
    Y = ref("trans_conv")(X, weight, bias, stride, padding)
    expected = F.conv_transpose2d(X, weight, bias, stride, padding)
    assert Y.shape == expected.shape and Y.dtype == dtype
    assert_close(Y, expected)
    inputs = (X, weight) + ((bias,) if with_bias else ())
    assert_grads_close(Y, expected, inputs, seed, dtype)


def test_trans_conv_prints_the_books_values():
    """D2L 14.10: X = [[0, 1], [2, 3]], K = [[0, 1], [2, 3]] gives [[0, 0, 1], [0, 4, 6], [4, 12, 9]]; with
    padding=1 only the centre 4 remains; with stride=2 the 4x4 result the book prints."""
    X = torch.tensor([[0.0, 1.0], [2.0, 3.0]]).reshape(1, 1, 2, 2)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]]).reshape(1, 1, 2, 2)
    trans_conv = ref("trans_conv")
    torch.testing.assert_close(trans_conv(X, K), torch.tensor([[[[0.0, 0.0, 1.0], [0.0, 4.0, 6.0],
                                                                  [4.0, 12.0, 9.0]]]]))
    torch.testing.assert_close(trans_conv(X, K, padding=1), torch.tensor([[[[4.0]]]]))
    torch.testing.assert_close(trans_conv(X, K, stride=2), torch.tensor([[[[0.0, 0.0, 0.0, 1.0],
                                                                           [0.0, 0.0, 2.0, 3.0],
                                                                           [0.0, 2.0, 0.0, 3.0],
                                                                           [4.0, 6.0, 6.0, 9.0]]]]))
