"""Check the reference solutions (solutions/*.py) against independent implementations, and the stubs against them."""

import ast
import fnmatch
import functools
import importlib.util
import inspect
import math
import pathlib

import pytest
import torch
import torch.nn.functional as F
import torchvision
import yaml
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

ROOT = pathlib.Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "course.yaml").read_text())
EXERCISES = {ex["id"]: ex for ex in MANIFEST["exercises"]}
IDS = list(EXERCISES)

DTYPES = [torch.float32, torch.float64]
SEEDS = [0, 1, 2]
HAS_CUDA = torch.cuda.is_available()


def _load(folder: str, name: str):
    """Load exercises/<name>.py or solutions/<name>.py by path: neither folder is a package."""
    spec = importlib.util.spec_from_file_location(f"_{folder}_{name}", ROOT / folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def load_solution(name: str):
    return _load("solutions", name)


def ref(name: str, function: str | None = None):
    """The reference function `function` (default: the exercise's id) of solutions/<name>.py."""
    return getattr(load_solution(name), function or name)


def tol(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-10}


def assert_close(actual, expected, dtype=None):
    dtype = dtype or expected.dtype
    torch.testing.assert_close(actual, expected, **tol(dtype))


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(g, *shape, dtype=torch.float64, requires_grad=False):
    return torch.randn(*shape, generator=g, dtype=dtype).requires_grad_(requires_grad)


def randint(g, low, high):
    """One integer in [low, high]."""
    return int(torch.randint(low, high + 1, (1,), generator=g))


def grads(output, inputs, g):
    """Gradients of a random linear functional of `output` with respect to `inputs`."""
    weight = torch.randn(output.shape, generator=g, dtype=output.dtype)
    return torch.autograd.grad((output * weight).sum(), inputs)


def assert_grads_close(out, expected_out, inputs, seed, dtype):
    for got, want in zip(grads(out, inputs, gen(seed)), grads(expected_out, inputs, gen(seed))):
        assert_close(got, want, dtype)


# ----------------------------------------------------------------------------- softmax

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_matches_torch_on_every_dim(seed, dtype):
    softmax = ref("softmax")
    g = gen(seed)
    for rank in range(1, 5):
        shape = [randint(g, 1, 5) for _ in range(rank)]
        X = randn(g, *shape, dtype=dtype) * 5
        for dim in range(-rank, rank):
            Y = softmax(X, dim=dim)
            assert Y.dtype == dtype and Y.shape == X.shape
            assert_close(Y, F.softmax(X, dim=dim))
            assert_close(Y.sum(dim=dim), torch.ones(Y.sum(dim=dim).shape, dtype=dtype))
    X = randn(g, 3, 4, dtype=dtype)
    assert_close(softmax(X), F.softmax(X, dim=-1))          # default dim is the last one


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [-1, 0])
def test_softmax_is_stable_per_slice(dtype, dim):
    softmax = ref("softmax")
    X = torch.tensor([[1000.0, 0.0, -1000.0], [-5000.0, -5001.0, -5002.0]], dtype=dtype)
    if dim == 0:
        X = X.T.contiguous()
    Y = softmax(X, dim=dim)
    assert torch.isfinite(Y).all()
    assert_close(Y, F.softmax(X, dim=dim))
    e = torch.tensor([1.0, math.exp(-1), math.exp(-2)], dtype=dtype)
    second = Y[1] if dim == -1 else Y[:, 1]
    assert_close(second, e / e.sum())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_gradients(seed, dtype):
    g = gen(seed)
    X = randn(g, 3, 4, 5, dtype=dtype, requires_grad=True)
    for dim in (-1, 0, 1):
        assert_grads_close(ref("softmax")(X, dim=dim), F.softmax(X, dim=dim), (X,), seed, dtype)


# ----------------------------------------------------------------------------- conv2d

CONV_SETTINGS = [(1, 0), (2, 1), ((1, 2), (2, 0)), ((3, 1), (0, 2)), (2, (1, 3)), ((2, 2), 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stride, padding", CONV_SETTINGS)
@pytest.mark.parametrize("with_bias", [True, False])
def test_conv2d_matches_torch_with_gradients(seed, dtype, stride, padding, with_bias):
    g = gen(seed)
    N, C_in, C_out = randint(g, 1, 3), randint(g, 1, 3), randint(g, 1, 4)
    kh, kw = randint(g, 1, 3), randint(g, 1, 4)
    H, W = randint(g, kh + 2, 9), randint(g, kw + 2, 9)
    X = randn(g, N, C_in, H, W, dtype=dtype, requires_grad=True)
    weight = randn(g, C_out, C_in, kh, kw, dtype=dtype, requires_grad=True)
    bias = randn(g, C_out, dtype=dtype, requires_grad=True) if with_bias else None
    Y = ref("conv2d")(X, weight, bias, stride, padding)
    expected = F.conv2d(X, weight, bias, stride, padding)
    assert Y.shape == expected.shape and Y.dtype == dtype
    assert_close(Y, expected)
    inputs = (X, weight) + ((bias,) if with_bias else ())
    assert_grads_close(Y, expected, inputs, seed, dtype)


def test_conv2d_defaults_and_known_values():
    """D2L 7.2's worked example: corr2d of 0..8 with [[0, 1], [2, 3]] is [[19, 25], [37, 43]]."""
    X = torch.arange(9.0).reshape(1, 1, 3, 3)
    K = torch.arange(4.0).reshape(1, 1, 2, 2)
    torch.testing.assert_close(ref("conv2d")(X, K), torch.tensor([[[[19.0, 25.0], [37.0, 43.0]]]]))


# ----------------------------------------------------------------------------- batch_norm

def _bn_inputs(g, ndim, dtype, requires_grad=False):
    if ndim == 2:
        n, C = randint(g, 2, 8), randint(g, 1, 5)
        X, stat_shape = randn(g, n, C, dtype=dtype) * 3 + 1, (1, C)
    else:
        n, C, H, W = randint(g, 2, 4), randint(g, 1, 4), randint(g, 1, 4), randint(g, 1, 4)
        X, stat_shape = randn(g, n, C, H, W, dtype=dtype) * 3 + 1, (1, C, 1, 1)
    gamma = randn(g, *stat_shape, dtype=dtype)
    beta = randn(g, *stat_shape, dtype=dtype)
    moving_mean = randn(g, *stat_shape, dtype=dtype)
    moving_var = torch.rand(stat_shape, generator=g, dtype=dtype) + 0.5
    for t in (X, gamma, beta):
        t.requires_grad_(requires_grad)
    return X, gamma, beta, moving_mean, moving_var


def _flat(t):
    return t.reshape(-1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ndim", [2, 4])
@pytest.mark.parametrize("momentum, eps", [(0.9, 1e-5), (0.7, 1e-3)])
def test_batch_norm_training(seed, dtype, ndim, momentum, eps):
    X, gamma, beta, moving_mean, moving_var = _bn_inputs(gen(seed), ndim, dtype)
    Y, new_mean, new_var = ref("batch_norm")(X, gamma, beta, moving_mean, moving_var,
                                              eps=eps, momentum=momentum, training=True)
    # PyTorch weights its running statistics the other way round: its momentum is 1 - the book's.
    running_mean, running_var = _flat(moving_mean).clone(), _flat(moving_var).clone()
    expected = F.batch_norm(X, running_mean, running_var, _flat(gamma), _flat(beta),
                            training=True, momentum=1 - momentum, eps=eps)
    assert Y.shape == X.shape and Y.dtype == dtype
    assert_close(Y, expected)
    # The book's moving statistics, written out: biased variance (divide by n).
    dims = (0,) if ndim == 2 else (0, 2, 3)
    n = X.numel() // X.shape[1]
    batch_mean = X.mean(dim=dims, keepdim=True)
    batch_var = X.var(dim=dims, keepdim=True, correction=0)
    assert new_mean.shape == moving_mean.shape and new_var.shape == moving_var.shape
    assert new_mean.dtype == dtype and new_var.dtype == dtype
    assert_close(new_mean, momentum * moving_mean + (1 - momentum) * batch_mean)
    assert_close(new_var, momentum * moving_var + (1 - momentum) * batch_var)
    # PyTorch agrees on the mean; its running_var uses the unbiased variance, which is why
    # the moving variance is checked against the formula above rather than against PyTorch.
    assert_close(_flat(new_mean), running_mean)
    assert_close(running_var, _flat(momentum * moving_var + (1 - momentum) * batch_var * n / (n - 1)))
    if n > 1:
        assert not torch.allclose(_flat(new_var), running_var)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ndim", [2, 4])
def test_batch_norm_evaluation(seed, dtype, ndim):
    X, gamma, beta, moving_mean, moving_var = _bn_inputs(gen(seed), ndim, dtype)
    mean_before, var_before = moving_mean.clone(), moving_var.clone()
    Y, new_mean, new_var = ref("batch_norm")(X, gamma, beta, moving_mean, moving_var,
                                              eps=1e-4, training=False)
    expected = F.batch_norm(X, _flat(moving_mean).clone(), _flat(moving_var).clone(),
                            _flat(gamma), _flat(beta), training=False, eps=1e-4)
    assert_close(Y, expected)
    assert torch.equal(new_mean, mean_before) and torch.equal(new_var, var_before)
    assert new_mean.shape == moving_mean.shape and new_var.shape == moving_var.shape


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [2, 4])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients(dtype, ndim, training):
    seed = 3
    X, gamma, beta, moving_mean, moving_var = _bn_inputs(gen(seed), ndim, dtype, requires_grad=True)
    Y, _, _ = ref("batch_norm")(X, gamma, beta, moving_mean, moving_var, training=training)
    expected = F.batch_norm(X, _flat(moving_mean).clone(), _flat(moving_var).clone(),
                            _flat(gamma), _flat(beta), training=training, momentum=0.1)
    assert_grads_close(Y, expected, (X, gamma, beta), seed, dtype)


def test_batch_norm_defaults_follow_the_book():
    """momentum=0.9 and eps=1e-5 by default, training by default: new = 0.9 * old + 0.1 * batch."""
    X = torch.tensor([[1.0], [3.0]])
    one = torch.ones(1, 1)
    Y, new_mean, new_var = ref("batch_norm")(X, one, 0 * one, 0 * one, one)
    torch.testing.assert_close(new_mean, torch.tensor([[0.2]]))             # 0.9*0 + 0.1*2
    torch.testing.assert_close(new_var, torch.tensor([[1.0]]))              # 0.9*1 + 0.1*1 (biased)
    torch.testing.assert_close(Y, torch.tensor([[-1.0], [1.0]]) / math.sqrt(1 + 1e-5))


# ----------------------------------------------------------------------------- gru_cell

def book_gru(X, H, params):
    """The GRU step of D2L 10.2, written out."""
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    Z = torch.sigmoid(torch.matmul(X, W_xz) + torch.matmul(H, W_hz) + b_z)
    R = torch.sigmoid(torch.matmul(X, W_xr) + torch.matmul(H, W_hr) + b_r)
    H_tilde = torch.tanh(torch.matmul(X, W_xh) + torch.matmul(R * H, W_hh) + b_h)
    return Z * H + (1 - Z) * H_tilde


def _gru_inputs(g, dtype, requires_grad=False):
    batch, num_inputs, num_hiddens = randint(g, 1, 4), randint(g, 1, 5), randint(g, 2, 6)
    X = randn(g, batch, num_inputs, dtype=dtype, requires_grad=requires_grad)
    H = randn(g, batch, num_hiddens, dtype=dtype, requires_grad=requires_grad)
    params = []
    for _ in range(3):
        params += [randn(g, num_inputs, num_hiddens, dtype=dtype, requires_grad=requires_grad),
                   randn(g, num_hiddens, num_hiddens, dtype=dtype, requires_grad=requires_grad),
                   randn(g, num_hiddens, dtype=dtype, requires_grad=requires_grad)]
    return X, H, tuple(params)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_gru_cell_matches_the_book_with_gradients(seed, dtype):
    X, H, params = _gru_inputs(gen(seed), dtype, requires_grad=True)
    H_new = ref("gru_cell")(X, H, params)
    expected = book_gru(X, H, params)
    assert H_new.shape == H.shape and H_new.dtype == dtype
    assert_close(H_new, expected)
    assert_grads_close(H_new, expected, (X, H) + params, seed, dtype)


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_cell_differs_from_nn_grucell(seed):
    """nn.GRUCell applies the reset gate after the product with W_hh; the book (and the contract) before."""
    X, H, params = _gru_inputs(gen(seed), torch.float64)
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h = params
    num_inputs, num_hiddens = W_xz.shape
    cell = nn.GRUCell(num_inputs, num_hiddens, dtype=torch.float64)
    with torch.no_grad():                      # PyTorch's gate order is (r, z, n), weights transposed
        cell.weight_ih.copy_(torch.cat([W_xr.T, W_xz.T, W_xh.T]))
        cell.weight_hh.copy_(torch.cat([W_hr.T, W_hz.T, W_hh.T]))
        cell.bias_ih.copy_(torch.cat([b_r, b_z, b_h]))
        cell.bias_hh.zero_()
        torch_H = cell(X, H)
    # The weight mapping is right: PyTorch's form, written out, equals nn.GRUCell ...
    Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
    R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
    torch_form = Z * H + (1 - Z) * torch.tanh(X @ W_xh + R * (H @ W_hh) + b_h)
    assert_close(torch_H, torch_form)
    # ... and the reference, which follows the book, does not.
    assert (ref("gru_cell")(X, H, params) - torch_H).abs().max() > 1e-3


# ----------------------------------------------------------------------------- multi_head_attention

def loop_attention(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens=None):
    """Multi-head attention from plain torch ops: a loop over batch rows and heads, an explicit mask."""
    B, n_q, _ = queries.shape
    n_k = keys.shape[1]
    h = W_q.shape[1]
    d = h // num_heads
    rows = []
    for b in range(B):
        mask = [[True] * n_k for _ in range(n_q)]                 # True: the key is masked
        for q in range(n_q):
            if valid_lens is None:
                length = n_k
            elif valid_lens.dim() == 1:
                length = int(valid_lens[b])
            else:
                length = int(valid_lens[b, q])
            for k in range(min(length, n_k)):
                mask[q][k] = False
        mask = torch.tensor(mask)
        heads = []
        for i in range(num_heads):
            cols = slice(i * d, (i + 1) * d)
            Q_i = queries[b] @ W_q[:, cols]
            K_i = keys[b] @ W_k[:, cols]
            V_i = values[b] @ W_v[:, cols]
            scores = Q_i @ K_i.T / math.sqrt(d)
            scores = torch.where(mask, torch.full_like(scores, -1e6), scores)
            weights = torch.exp(scores - scores.max(dim=1, keepdim=True).values)
            weights = weights / weights.sum(dim=1, keepdim=True)
            heads.append(weights @ V_i)
        rows.append(torch.cat(heads, dim=1) @ W_o)
    return torch.stack(rows)


def _mha_inputs(g, dtype, mask_kind, requires_grad=False):
    B, n_q, n_k = randint(g, 1, 3), randint(g, 1, 4), randint(g, 1, 5)
    d_q, d_k, d_v, d_out = randint(g, 1, 5), randint(g, 1, 5), randint(g, 1, 5), randint(g, 1, 5)
    num_heads = randint(g, 1, 3)
    h = num_heads * randint(g, 1, 3)
    tensors = [randn(g, *shape, dtype=dtype, requires_grad=requires_grad) for shape in
               [(B, n_q, d_q), (B, n_k, d_k), (B, n_k, d_v), (d_q, h), (d_k, h), (d_v, h), (h, d_out)]]
    if mask_kind == "none":
        valid_lens = None
    elif mask_kind == "batch":
        valid_lens = torch.randint(1, n_k + 1, (B,), generator=g)
    elif mask_kind == "batch_float":
        valid_lens = torch.randint(1, n_k + 1, (B,), generator=g).to(dtype)
    else:
        valid_lens = torch.randint(1, n_k + 1, (B, n_q), generator=g)
    return tensors, num_heads, valid_lens


MASK_KINDS = ["none", "batch", "batch_float", "per_query"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mask_kind", MASK_KINDS)
def test_multi_head_attention_matches_loop_with_gradients(seed, dtype, mask_kind):
    tensors, num_heads, valid_lens = _mha_inputs(gen(seed), dtype, mask_kind, requires_grad=True)
    out = ref("multi_head_attention")(*tensors, num_heads, valid_lens)
    expected = loop_attention(*tensors, num_heads, valid_lens)
    assert out.shape == expected.shape and out.dtype == dtype
    assert_close(out, expected)
    assert_grads_close(out, expected, tuple(tensors), seed, dtype)


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_head_attention_matches_sdpa_with_boolean_mask(seed):
    """A second, independent check: PyTorch's scaled_dot_product_attention on the split heads."""
    g = gen(seed)
    (queries, keys, values, W_q, W_k, W_v, W_o), num_heads, valid_lens = _mha_inputs(
        g, torch.float64, "per_query")
    B, n_q, n_k, h = queries.shape[0], queries.shape[1], keys.shape[1], W_q.shape[1]

    def split(T):
        return T.reshape(T.shape[0], T.shape[1], num_heads, h // num_heads).transpose(1, 2)

    allowed = torch.arange(n_k)[None, None, :] < valid_lens[:, :, None]         # (B, n_q, n_k)
    heads = F.scaled_dot_product_attention(split(queries @ W_q), split(keys @ W_k),
                                           split(values @ W_v), attn_mask=allowed[:, None])
    expected = heads.transpose(1, 2).reshape(B, n_q, h) @ W_o
    out = ref("multi_head_attention")(queries, keys, values, W_q, W_k, W_v, W_o, num_heads, valid_lens)
    assert_close(out, expected)


def test_multi_head_attention_masks_by_position():
    """With valid length 1, every query sees only the first key: the output is V[0] @ W_o."""
    g = gen(7)
    (queries, keys, values, W_q, W_k, W_v, W_o), num_heads, _ = _mha_inputs(g, torch.float64, "none")
    B = queries.shape[0]
    out = ref("multi_head_attention")(queries, keys, values, W_q, W_k, W_v, W_o, num_heads,
                                      torch.ones(B, dtype=torch.int64))
    expected = (values[:, :1] @ W_v @ W_o).expand_as(out)
    assert_close(out, expected)


# ----------------------------------------------------------------------------- nms

def random_boxes(g, n, dtype, spread=10.0):
    centers = torch.rand(n, 2, generator=g, dtype=dtype) * spread
    sizes = torch.rand(n, 2, generator=g, dtype=dtype) * 3 + 0.5
    return torch.cat([centers - sizes / 2, centers + sizes / 2], dim=1)


def distinct_scores(g, n, dtype):
    return (torch.randperm(n, generator=g).to(dtype) + torch.rand(n, generator=g, dtype=dtype) * 0.5) / n


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_box_iou_matches_torchvision(seed, dtype):
    g = gen(seed)
    boxes1 = random_boxes(g, randint(g, 1, 12), dtype)
    boxes2 = random_boxes(g, randint(g, 1, 12), dtype)
    iou = ref("nms", "box_iou")(boxes1, boxes2)
    assert iou.shape == (len(boxes1), len(boxes2)) and iou.dtype == dtype
    assert_close(iou, torchvision.ops.box_iou(boxes1, boxes2))


def test_box_iou_known_values():
    boxes1 = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    boxes2 = torch.tensor([[1.0, 1.0, 3.0, 3.0],      # overlap 1, union 7
                           [0.0, 0.0, 2.0, 2.0],      # the same box
                           [5.0, 5.0, 6.0, 7.0],      # disjoint on both axes
                           [0.0, 3.0, 2.0, 4.0],      # disjoint in y only: a negative height
                           [2.0, 0.0, 3.0, 2.0]])     # touching edge
    expected = torch.tensor([[1 / 7, 1.0, 0.0, 0.0, 0.0]])
    torch.testing.assert_close(ref("nms", "box_iou")(boxes1, boxes2), expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("iou_threshold", [0.0, 0.3, 0.5, 0.7])
def test_nms_matches_torchvision(seed, dtype, iou_threshold):
    g = gen(seed)
    n = randint(g, 1, 40)
    boxes = random_boxes(g, n, dtype, spread=6.0)
    scores = distinct_scores(g, n, dtype)
    keep = ref("nms", "nms")(boxes, scores, iou_threshold)
    expected = torchvision.ops.nms(boxes, scores, iou_threshold)
    assert keep.dtype == torch.int64 and keep.device == boxes.device
    assert torch.equal(keep, expected)


def test_nms_box_at_exactly_the_threshold_survives():
    boxes = torch.tensor([[0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 1.0, 1.0]])      # IoU exactly 1/2
    scores = torch.tensor([0.9, 0.8])
    nms = ref("nms", "nms")
    assert torch.equal(nms(boxes, scores, 0.5), torch.tensor([0, 1]))
    assert torch.equal(torchvision.ops.nms(boxes, scores, 0.5), torch.tensor([0, 1]))
    assert torch.equal(nms(boxes, scores, 0.49), torch.tensor([0]))


def test_nms_only_kept_boxes_suppress():
    """A suppresses B; B would suppress C, but B is not kept, so C survives. Order: by score."""
    boxes = torch.tensor([[2.0, 0.0, 4.0, 1.0],     # C: IoU 0 with A, 1/3 with B
                          [0.0, 0.0, 2.0, 1.0],     # A
                          [1.0, 0.0, 3.0, 1.0]])    # B: IoU 1/3 with A
    scores = torch.tensor([0.1, 0.9, 0.5])
    assert torch.equal(ref("nms", "nms")(boxes, scores, 0.3), torch.tensor([1, 0]))
    assert torch.equal(ref("nms", "nms")(boxes, scores, 0.4), torch.tensor([1, 2, 0]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_nms_empty_and_single(dtype):
    nms, box_iou = ref("nms", "nms"), ref("nms", "box_iou")
    keep = nms(torch.empty(0, 4, dtype=dtype), torch.empty(0, dtype=dtype), 0.5)
    assert keep.shape == (0,) and keep.dtype == torch.int64
    assert box_iou(torch.empty(0, 4, dtype=dtype), torch.ones(3, 4, dtype=dtype)).shape == (0, 3)
    keep = nms(torch.tensor([[0.0, 0.0, 1.0, 1.0]], dtype=dtype), torch.tensor([0.3], dtype=dtype), 0.5)
    assert torch.equal(keep, torch.tensor([0]))


# ----------------------------------------------------------------------------- gan_step

def book_update_D(X, Z, net_D, net_G, loss, trainer_D):
    """D2L 20.1's update_D (labels on X's device and dtype)."""
    batch_size = X.shape[0]
    ones = torch.ones((batch_size,), device=X.device, dtype=X.dtype)
    zeros = torch.zeros((batch_size,), device=X.device, dtype=X.dtype)
    trainer_D.zero_grad()
    real_Y = net_D(X)
    fake_X = net_G(Z)
    fake_Y = net_D(fake_X.detach())
    loss_D = (loss(real_Y, ones.reshape(real_Y.shape)) + loss(fake_Y, zeros.reshape(fake_Y.shape))) / 2
    loss_D.backward()
    trainer_D.step()
    return loss_D


def book_update_G(Z, net_D, net_G, loss, trainer_G, dtype):
    """D2L 20.1's update_G."""
    batch_size = Z.shape[0]
    ones = torch.ones((batch_size,), device=Z.device, dtype=dtype)
    trainer_G.zero_grad()
    fake_X = net_G(Z)
    fake_Y = net_D(fake_X)
    loss_G = loss(fake_Y, ones.reshape(fake_Y.shape))
    loss_G.backward()
    trainer_G.step()
    return loss_G


def book_gan_step(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    loss_D = book_update_D(X, Z, net_D, net_G, loss, trainer_D)
    loss_G = book_update_G(Z, net_D, net_G, loss, trainer_G, X.dtype)
    return loss_D.item(), loss_G.item()


def _make_gan(seed, dtype, optimizer, latent_dim=2, data_dim=2):
    torch.manual_seed(seed)
    net_G = nn.Sequential(nn.Linear(latent_dim, data_dim)).to(dtype)
    net_D = nn.Sequential(nn.Linear(data_dim, 5), nn.Tanh(), nn.Linear(5, 3), nn.Tanh(),
                          nn.Linear(3, 1)).to(dtype)
    loss = nn.BCEWithLogitsLoss(reduction="sum")
    if optimizer == "adam":
        trainer_D = torch.optim.Adam(net_D.parameters(), lr=0.05)
        trainer_G = torch.optim.Adam(net_G.parameters(), lr=0.005)
    else:
        momentum = 0.9 if optimizer == "sgd_momentum" else 0.0
        trainer_D = torch.optim.SGD(net_D.parameters(), lr=0.05, momentum=momentum)
        trainer_G = torch.optim.SGD(net_G.parameters(), lr=0.005, momentum=momentum)
    return net_D, net_G, loss, trainer_D, trainer_G


def _run_gan(step, seed, dtype, optimizer, num_steps=4):
    """Run `step` for num_steps steps; return (losses, parameters) after each step."""
    net_D, net_G, loss, trainer_D, trainer_G = _make_gan(seed, dtype, optimizer)
    g = gen(seed + 100)
    history = []
    for _ in range(num_steps):
        X = randn(g, 8, 2, dtype=dtype) * 0.5 + 1
        Z = randn(g, 8, 2, dtype=dtype)
        losses = step(X, Z, net_D, net_G, loss, trainer_D, trainer_G)
        params = [p.detach().clone() for p in (*net_D.parameters(), *net_G.parameters())]
        history.append((losses, params))
    return history


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("optimizer", ["sgd", "sgd_momentum", "adam"])
def test_gan_step_matches_the_book_loop(seed, dtype, optimizer):
    got = _run_gan(ref("gan_step"), seed, dtype, optimizer)
    want = _run_gan(book_gan_step, seed, dtype, optimizer)
    for (losses, params), (want_losses, want_params) in zip(got, want):
        assert isinstance(losses, tuple) and len(losses) == 2
        assert all(type(value) is float for value in losses)
        assert losses == pytest.approx(want_losses, rel=1e-6 if dtype == torch.float32 else 1e-12)
        for p, q in zip(params, want_params):
            assert_close(p, q, dtype)


def test_gan_step_sends_no_gradient_to_G_in_the_discriminator_half():
    """The D half detaches the fake batch: one backward pass per step reaches G's parameters, not two."""
    net_D, net_G, loss, trainer_D, trainer_G = _make_gan(0, torch.float64, "sgd")
    calls = []
    for p in net_G.parameters():
        p.register_hook(lambda grad: calls.append(1))
    g = gen(1)
    for step in range(1, 3):
        ref("gan_step")(randn(g, 8, 2), randn(g, 8, 2), net_D, net_G, loss, trainer_D, trainer_G)
        assert len(calls) == step * len(list(net_G.parameters()))


def _gan_step_without_zero_grad_D(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    loss_D = (loss(net_D(X), torch.ones(X.shape[0], 1, dtype=X.dtype))
              + loss(net_D(net_G(Z).detach()), torch.zeros(X.shape[0], 1, dtype=X.dtype))) / 2
    loss_D.backward()
    trainer_D.step()
    return loss_D.item(), book_update_G(Z, net_D, net_G, loss, trainer_G, X.dtype).item()


def _gan_step_generator_first(X, Z, net_D, net_G, loss, trainer_D, trainer_G):
    loss_G = book_update_G(Z, net_D, net_G, loss, trainer_G, X.dtype)
    return book_update_D(X, Z, net_D, net_G, loss, trainer_D).item(), loss_G.item()


@pytest.mark.parametrize("wrong_step", [_gan_step_without_zero_grad_D, _gan_step_generator_first])
def test_gan_comparison_catches_classic_slips(wrong_step):
    """The step-by-step comparison above can fail: these two slips drift from the book within 4 steps."""
    want = _run_gan(book_gan_step, 0, torch.float64, "sgd")
    got = _run_gan(wrong_step, 0, torch.float64, "sgd")
    differs = any(
        losses != pytest.approx(want_losses, rel=1e-9)
        or any(not torch.allclose(p, q, rtol=1e-9, atol=1e-12) for p, q in zip(params, want_params))
        for (losses, params), (want_losses, want_params) in zip(got, want))
    assert differs


# ----------------------------------------------------------------------------- all exercises

def _cases(dtype=torch.float64, seed=11):
    """One typical call per reference function: (exercise id, function name, args)."""
    g = gen(seed)
    bn = _bn_inputs(g, 4, dtype)
    X, H, params = _gru_inputs(g, dtype)
    tensors, num_heads, valid_lens = _mha_inputs(g, dtype, "per_query")
    boxes = random_boxes(g, 10, dtype, spread=5.0)
    return [
        ("softmax", "softmax", (randn(g, 3, 4, dtype=dtype), 0)),
        ("conv2d", "conv2d", (randn(g, 2, 3, 6, 7, dtype=dtype), randn(g, 4, 3, 3, 2, dtype=dtype),
                              randn(g, 4, dtype=dtype), (2, 1), (1, 2))),
        ("batch_norm", "batch_norm", bn + (1e-5, 0.9, True)),
        ("batch_norm", "batch_norm", bn + (1e-5, 0.9, False)),
        ("gru_cell", "gru_cell", (X, H, params)),
        ("multi_head_attention", "multi_head_attention", (*tensors, num_heads, valid_lens)),
        ("nms", "box_iou", (boxes, boxes[:4])),
        ("nms", "nms", (boxes, distinct_scores(g, 10, dtype), 0.3)),
    ]


def _tensors_in(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from _tensors_in(item)


def test_references_never_modify_their_arguments():
    for exercise, function, args in _cases():
        inputs = list(_tensors_in(args))
        before = [(t.clone(), t._version) for t in inputs]
        ref(exercise, function)(*args)
        for t, (copy_, version) in zip(inputs, before):
            assert torch.equal(t, copy_) and t._version == version, f"{function} modified an argument"
    net_D, net_G, loss, trainer_D, trainer_G = _make_gan(0, torch.float64, "sgd")
    X, Z = randn(gen(0), 8, 2), randn(gen(1), 8, 2)
    before = [(t.clone(), t._version) for t in (X, Z)]
    ref("gan_step")(X, Z, net_D, net_G, loss, trainer_D, trainer_G)
    for t, (copy_, version) in zip((X, Z), before):
        assert torch.equal(t, copy_) and t._version == version, "gan_step modified X or Z"


@pytest.mark.parametrize("dtype", DTYPES)
def test_references_keep_dtype(dtype):
    for exercise, function, args in _cases(dtype):
        out = ref(exercise, function)(*args)
        first = out[0] if isinstance(out, tuple) else out
        if function == "nms":
            assert out.dtype == torch.int64
        else:
            assert all(t.dtype == dtype for t in _tensors_in(out)), function
        assert first.device == args[0].device


def _move(obj, device):
    """obj with every tensor in it (also inside tuples and lists) moved to `device`."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_move(item, device) for item in obj)
    return obj


@pytest.mark.parametrize("dtype", DTYPES)
def test_references_run_on_the_meta_device(dtype):
    """Shape-only runs: every reference whose logic needs no values gives meta results of the right shape."""
    for exercise, function, args in _cases(dtype):
        if function == "nms":                 # the greedy loop needs real values
            continue
        out = ref(exercise, function)(*_move(args, "meta"))
        expected = ref(exercise, function)(*args)
        for got, want in zip(_tensors_in(out), _tensors_in(expected)):
            assert got.device.type == "meta", function
            assert got.shape == want.shape and got.dtype == want.dtype, function
    for mask_kind in MASK_KINDS:
        tensors, num_heads, valid_lens = _mha_inputs(gen(5), dtype, mask_kind)
        out = ref("multi_head_attention")(*_move(tensors, "meta"), num_heads, _move(valid_lens, "meta"))
        assert out.device.type == "meta" and out.shape == tensors[0].shape[:2] + tensors[6].shape[1:]


class _OpRecorder(TorchDispatchMode):
    """Record the name of every ATen op that runs."""

    def __init__(self):
        super().__init__()
        self.ops = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.add(func._schema.name)
        self.ops.add(f"{func._schema.name}.{func._overloadname}")
        return func(*args, **(kwargs or {}))


def _forbidden_ops(exercise, ops):
    patterns = EXERCISES[exercise]["forbidden"].get("ops", [])
    return sorted(op for op in ops if any(fnmatch.fnmatchcase(op, p) for p in patterns))


def test_op_recorder_sees_forbidden_ops():
    """The check below can fail: PyTorch's own routines are caught."""
    X = torch.randn(2, 3, requires_grad=True)
    with _OpRecorder() as recorder:
        F.softmax(X, dim=-1).sum().backward()
        F.conv2d(torch.randn(1, 1, 4, 4), torch.randn(1, 1, 2, 2))
        F.batch_norm(torch.randn(4, 3), None, None, training=True)
    assert _forbidden_ops("softmax", recorder.ops)
    assert _forbidden_ops("conv2d", recorder.ops)
    assert _forbidden_ops("batch_norm", recorder.ops)


def test_references_run_no_forbidden_op():
    for exercise, function, args in _cases():
        args = tuple(t.detach().requires_grad_() if isinstance(t, torch.Tensor) and t.is_floating_point()
                     else t for t in args)
        with _OpRecorder() as recorder:
            out = ref(exercise, function)(*args)
            first = out[0] if isinstance(out, tuple) else out
            if first.requires_grad:
                first.sum().backward()
        assert not _forbidden_ops(exercise, recorder.ops), (function, _forbidden_ops(exercise, recorder.ops))


@pytest.mark.parametrize("exercise", IDS)
def test_reference_source_follows_the_rules(exercise):
    """One-line module docstring, allowed imports only, no forbidden attribute."""
    allowed = set(EXERCISES[exercise].get("allowed_imports", MANIFEST["default_allowed_imports"]))
    forbidden_attributes = set(EXERCISES[exercise]["forbidden"].get("attributes", []))
    for folder in ("solutions", "exercises"):
        source = (ROOT / folder / f"{exercise}.py").read_text()
        tree = ast.parse(source)
        docstring = ast.get_docstring(tree)
        assert docstring and "\n" not in docstring.strip(), f"{folder}/{exercise}.py: one-line docstring"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] in allowed for a in node.names), ast.unparse(node)
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] in allowed, ast.unparse(node)
            elif isinstance(node, ast.Attribute):
                assert node.attr not in forbidden_attributes, f"{folder}/{exercise}.py uses .{node.attr}"


def _required(function) -> int:
    """How many positional arguments a call needs (not *args, **kwargs or those with defaults)."""
    return sum(p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in inspect.signature(function).parameters.values())


@pytest.mark.parametrize("exercise", IDS)
def test_stub_matches_reference_and_fails(exercise):
    """Each stub has the reference's signatures, says where to read (a link: the manifest's own in one
    of them, as an exercise over two sections links each function to its own) and what is forbidden,
    and raises NotImplementedError until filled in."""
    stub = _load("exercises", exercise)
    solution = load_solution(exercise)
    docs = []
    for function in EXERCISES[exercise]["functions"]:
        stub_fn, ref_fn = getattr(stub, function), getattr(solution, function)
        assert inspect.signature(stub_fn) == inspect.signature(ref_fn), function
        doc = inspect.getdoc(stub_fn)
        assert "https://" in doc and "Forbidden" in doc, function
        docs.append(doc)
        with pytest.raises(NotImplementedError, match="fill in this function"):
            made = stub_fn(*[None] * _required(stub_fn))
            if inspect.isclass(stub_fn):  # a module with nothing to set up (a loss) raises in forward
                made.forward(*[None] * _required(made.forward))
    assert any(EXERCISES[exercise]["link"] in doc for doc in docs), "no stub names the manifest's link"


# ----------------------------------------------------------------------------- CUDA

def check_on_device(index, dtype, device):
    """Case `index` of _cases() run on `device` gives results on that device equal to the CPU's."""
    exercise, function, args = _cases(dtype)[index]
    out = ref(exercise, function)(*_move(args, device))
    expected = ref(exercise, function)(*args)
    for got, want in zip(_tensors_in(out), _tensors_in(expected)):
        assert got.device.type == torch.device(device).type and got.dtype == want.dtype, function
        torch.testing.assert_close(got.cpu(), want, rtol=1e-4, atol=1e-4)


def gan_losses_on_device(device):
    net_D, net_G, loss, trainer_D, trainer_G = _make_gan(0, torch.float64, "adam")
    net_D.to(device)
    net_G.to(device)
    g = gen(1)
    losses = []
    for _ in range(3):
        X, Z = randn(g, 8, 2).to(device), randn(g, 8, 2).to(device)
        losses.append(ref("gan_step")(X, Z, net_D, net_G, loss, trainer_D, trainer_G))
    return losses, [p.detach().cpu() for p in (*net_D.parameters(), *net_G.parameters())]


@pytest.mark.cuda
@pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index", range(len(_cases())))
def test_references_on_cuda_match_cpu(index, dtype):
    check_on_device(index, dtype, "cuda")


@pytest.mark.cuda
@pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA device")
def test_gan_step_on_cuda_matches_cpu():
    (losses, params), (want_losses, want_params) = gan_losses_on_device("cuda"), gan_losses_on_device("cpu")
    for got, want in zip(losses, want_losses):
        assert got == pytest.approx(want, rel=1e-9)
    for p, q in zip(params, want_params):
        torch.testing.assert_close(p, q, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- course part I (ch. 3, 5, 6, 12)

def test_linear_regression_matches_torch_sgd_and_mse():
    """One step of the book's loop equals torch.optim.SGD on mse_loss(reduction='sum') / 2 / batch_size."""
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(10, 3, generator=g, dtype=torch.float64), torch.randn(10, generator=g, dtype=torch.float64)
    w, b = torch.randn(3, 1, generator=g, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
    mine = [w.clone().requires_grad_(), b.clone().requires_grad_()]
    theirs = [w.clone().requires_grad_(), b.clone().requires_grad_()]
    lr, batch_size = 0.1, 10
    for _ in range(3):
        ref("linear_regression", "squared_loss")(ref("linear_regression", "linreg")(X, *mine), y).sum().backward()
        ref("linear_regression", "sgd")(mine, lr, batch_size)
        opt = torch.optim.SGD(theirs, lr=lr)
        opt.zero_grad()
        (torch.nn.functional.mse_loss(X @ theirs[0] + theirs[1], y.reshape(-1, 1), reduction="sum") / 2
         / batch_size).backward()
        opt.step()
    for a, c in zip(mine, theirs):
        torch.testing.assert_close(a, c)
        assert a.is_leaf and not a.grad.any()


def test_l2_penalty_and_dropout_ends():
    w = torch.randn(4, 5, dtype=torch.float64)
    torch.testing.assert_close(ref("dropout", "l2_penalty")(w), torch.linalg.vector_norm(w) ** 2 / 2)
    X = torch.randn(3, 4)
    assert torch.equal(ref("dropout", "dropout_layer")(X, 0.0), X)
    assert torch.equal(ref("dropout", "dropout_layer")(X, 1.0), torch.zeros_like(X))


def test_dropout_matches_torch_dropout_in_distribution():
    """Kept share and scale agree with F.dropout's (the same inverted dropout)."""
    from d2lcoach.grading import stats
    X = torch.ones(200, 100)
    for p in (0.2, 0.5):
        mine, theirs = ref("dropout", "dropout_layer")(X, p), torch.nn.functional.dropout(X, p)
        lo, hi = stats.binomial_acceptance(X.numel(), 1 - p)
        for out in (mine, theirs):
            assert lo <= int((out != 0).sum()) <= hi
            assert set(out.unique().tolist()) == {0.0, 1 / (1 - p)}


def test_binomial_acceptance_bounds_the_false_failure():
    from d2lcoach.grading import stats
    for n, p in ((1000, 0.5), (20000, 0.8), (50, 0.3)):
        lo, hi = stats.binomial_acceptance(n, p)
        assert stats.binomial_false_failure(n, p, lo, hi) <= stats.FALSE_FAILURE
        assert stats.binomial_false_failure(n, p, lo + 1, hi - 1) > stats.FALSE_FAILURE / 4
    # exact tails against a direct sum for a small case
    n, p = 50, 0.3
    lo, hi = stats.binomial_acceptance(n, p)
    exact = sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1) if k < lo or k > hi)
    assert exact <= stats.FALSE_FAILURE


def test_my_linear_matches_nn_linear_with_relu():
    layer = ref("my_linear", "MyLinear")(5, 3)
    linear = torch.nn.Linear(5, 3)
    with torch.no_grad():
        linear.weight.copy_(layer.weight.T)
        linear.bias.copy_(layer.bias)
    X = torch.randn(4, 5)
    torch.testing.assert_close(layer(X), torch.relu(linear(X)))
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_cosine_scheduler_matches_torch_cosine_annealing():
    """Without warm-up the book's cosine is CosineAnnealingLR with T_max = max_update, eta_min = final_lr."""
    scheduler = ref("lr_scheduler", "CosineScheduler")(max_update=20, base_lr=0.3, final_lr=0.01)
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=0.3)
    annealing = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.01)
    for epoch in range(21):
        assert math.isclose(scheduler(epoch), opt.param_groups[0]["lr"], rel_tol=1e-9)
        opt.step()
        annealing.step()
    assert scheduler(25) == 0.01 and type(scheduler(25)) is float


def test_cosine_scheduler_warmup_and_factor_values():
    scheduler = ref("lr_scheduler", "CosineScheduler")(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)
    assert [round(scheduler(e), 6) for e in (0, 1, 5)] == [0.0, 0.06, 0.3]
    factor = ref("lr_scheduler", "FactorScheduler")(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
    rates = [factor(t) for t in range(60)]
    assert math.isclose(rates[0], 1.8) and rates[-1] == 1e-2
    assert all(math.isclose(r, max(1e-2, 2.0 * 0.9 ** (k + 1))) for k, r in enumerate(rates))
