"""Check the style_transfer reference (D2L 14.12) against independent routes to the same losses."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.test_reference import DTYPES, SEEDS, assert_close, assert_grads_close, gen, randn, ref


def _gram_by_linear(X):
    """The (c, c) channel inner products as F.linear(A, A) = A @ A.T, divided by the elements of X."""
    A = X.flatten(2)[0]
    return F.linear(A, A) / X.numel()


def _tv_by_convolution(Y):
    """The mean absolute response of the kernels [[-1], [1]] and [[-1, 1]], one channel at a time."""
    planes = Y.reshape(-1, 1, *Y.shape[2:])
    kernel = torch.tensor([-1.0, 1.0], dtype=Y.dtype)
    dh = F.conv2d(planes, kernel.reshape(1, 1, 2, 1)).abs().mean()
    dw = F.conv2d(planes, kernel.reshape(1, 1, 1, 2)).abs().mean()
    return 0.5 * (dh + dw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_content_loss_is_mse_loss_with_the_target_detached(seed, dtype):
    g = gen(seed)
    Y_hat = randn(g, 2, 3, 4, 5, dtype=dtype, requires_grad=True)
    Y = randn(g, 2, 3, 4, 5, dtype=dtype, requires_grad=True)
    out = ref("style_transfer", "content_loss")(Y_hat, Y)
    assert out.shape == () and out.dtype == dtype
    assert_close(out, F.mse_loss(Y_hat, Y.detach()))
    assert_grads_close(out, F.mse_loss(Y_hat, Y.detach()), [Y_hat], seed, dtype)
    ref("style_transfer", "content_loss")(Y_hat, Y).backward()
    assert Y.grad is None and Y_hat.grad is not None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_gram_is_the_channel_inner_products_over_c_h_w(seed, dtype):
    g = gen(seed)
    c, h, w = 3 + seed, 2 + seed, 5
    X = randn(g, 1, c, h, w, dtype=dtype, requires_grad=True)
    out = ref("style_transfer", "gram")(X)
    assert out.shape == (c, c)
    assert_close(out, _gram_by_linear(X))
    assert_close(out, out.T)
    assert_grads_close(out, _gram_by_linear(X), [X], seed, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_style_loss_is_mse_of_gram_matrices_with_the_target_detached(seed, dtype):
    g = gen(seed)
    Y_hat = randn(g, 1, 4, 3, 5, dtype=dtype, requires_grad=True)
    gram_Y = _gram_by_linear(randn(g, 1, 4, 6, 2, dtype=dtype)).requires_grad_(True)
    out = ref("style_transfer", "style_loss")(Y_hat, gram_Y)
    want = F.mse_loss(_gram_by_linear(Y_hat), gram_Y.detach())
    assert out.shape == ()
    assert_close(out, want)
    assert_grads_close(out, want, [Y_hat], seed, dtype)
    ref("style_transfer", "style_loss")(Y_hat, gram_Y).backward()
    assert gram_Y.grad is None and Y_hat.grad is not None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_tv_loss_is_half_the_mean_absolute_finite_differences(seed, dtype):
    g = gen(seed)
    Y = randn(g, 2, 3, 4 + seed, 7 - seed, dtype=dtype, requires_grad=True)
    out = ref("style_transfer", "tv_loss")(Y)
    assert out.shape == ()
    assert_close(out, _tv_by_convolution(Y))
    assert_grads_close(out, _tv_by_convolution(Y), [Y], seed, dtype)


def test_tv_loss_of_the_books_smooth_and_checkered_images():
    """A constant image has no variation; a 0/1 checkerboard differs by 1 between all neighbours."""
    assert float(ref("style_transfer", "tv_loss")(torch.full((1, 3, 4, 5), 0.7))) == 0.0
    board = ((torch.arange(4)[:, None] + torch.arange(5)[None, :]) % 2).to(torch.float64).expand(1, 3, 4, 5)
    assert float(ref("style_transfer", "tv_loss")(board)) == 1.0
