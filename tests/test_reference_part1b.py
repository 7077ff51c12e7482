"""Check the part-1b references (cross_entropy, xavier_init, optimizers, adam) against independent
implementations: torch's own routines, with any convention of the book converted."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.test_reference import DTYPES, SEEDS, gen, randn, ref

# ----------------------------------------------------------------------------- cross_entropy


def _probabilities(g, n, q, dtype):
    return torch.softmax(randn(g, n, q, dtype=torch.float64) * 2, dim=1).to(dtype)


def test_cross_entropy_prints_the_books_values():
    """D2L 4.4 (3.6 in Chinese) prints tensor([2.3026, 0.6931]) and an accuracy of 0.5."""
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    torch.testing.assert_close(ref("cross_entropy")(y_hat, y), torch.tensor([2.3026, 0.6931]),
                               rtol=0, atol=1e-4)
    assert ref("cross_entropy", "accuracy")(y_hat, y) / len(y) == 0.5


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_matches_nll_loss_with_gradients(seed, dtype):
    g = gen(seed)
    n, q = 7, 5 + seed
    y_hat = _probabilities(g, n, q, dtype).requires_grad_()
    y = torch.randint(0, q, (n,), generator=g)
    got = ref("cross_entropy")(y_hat, y)
    want = F.nll_loss(torch.log(y_hat), y, reduction="none")
    assert got.shape == (n,) and got.dtype == dtype
    torch.testing.assert_close(got, want)
    w = torch.randn(n, generator=g, dtype=dtype)
    torch.testing.assert_close(torch.autograd.grad((got * w).sum(), y_hat)[0],
                               torch.autograd.grad((want * w).sum(), y_hat)[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_of_softmax_is_torchs_cross_entropy_of_logits(seed):
    g = gen(seed)
    logits = randn(g, 6, 4)
    y = torch.randint(0, 4, (6,), generator=g)
    torch.testing.assert_close(ref("cross_entropy")(torch.softmax(logits, 1), y),
                               F.cross_entropy(logits, y, reduction="none"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_ignores_zero_probabilities_of_other_classes(dtype):
    y_hat = torch.tensor([[0.0, 1.0, 0.0], [0.25, 0.0, 0.75]], dtype=dtype, requires_grad=True)
    y = torch.tensor([1, 2])
    loss = ref("cross_entropy")(y_hat, y)
    torch.testing.assert_close(loss, torch.tensor([0.0, -math.log(0.75)], dtype=dtype))
    grad, = torch.autograd.grad(loss.sum(), y_hat)
    assert torch.isfinite(grad).all()
    torch.testing.assert_close(grad, torch.tensor([[0, -1, 0], [0, 0, -1 / 0.75]], dtype=dtype))


def test_cross_entropy_many_classes():
    g = gen(3)
    y_hat = _probabilities(g, 3, 50_000, torch.float32)
    y = torch.randint(0, 50_000, (3,), generator=g)
    torch.testing.assert_close(ref("cross_entropy")(y_hat, y), F.nll_loss(y_hat.log(), y, reduction="none"))


@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_counts_argmax_hits(seed):
    g = gen(seed)
    y_hat = _probabilities(g, 20, 4, torch.float32)
    y = torch.randint(0, 4, (20,), generator=g)
    got = ref("cross_entropy", "accuracy")(y_hat, y)
    assert type(got) is float and got == float((y_hat.argmax(1) == y).sum())


def test_accuracy_of_predicted_labels():
    y = torch.tensor([0, 1, 2, 2])
    assert ref("cross_entropy", "accuracy")(torch.tensor([0, 1, 1, 2]), y) == 3.0
    assert ref("cross_entropy", "accuracy")(torch.tensor([0.0, 2.0, 2.0, 1.0]), y) == 2.0


# ----------------------------------------------------------------------------- xavier_init

SHAPES = [(30, 20), (20, 30), (8, 3, 3, 3), (16, 4, 5), (4, 2, 3, 2, 2), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0), 5 / 3])
@pytest.mark.parametrize("dtype", DTYPES)
def test_xavier_matches_nn_init_draw_for_draw(shape, gain, dtype):
    """Same global seed, same numbers: torch's xavier_uniform_ also draws uniform_(-a, a) (its a is
    sqrt(3) * gain * sqrt(2 / (fan_in + fan_out)), equal up to rounding)."""
    mine, theirs = torch.empty(shape, dtype=dtype), torch.empty(shape, dtype=dtype)
    torch.manual_seed(5)
    out = ref("xavier_init", "xavier_uniform_")(mine, gain=gain)
    torch.manual_seed(5)
    nn.init.xavier_uniform_(theirs, gain=gain)
    assert out is mine
    torch.testing.assert_close(mine, theirs, rtol=1e-6 if dtype == torch.float32 else 1e-14, atol=0)


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier_bound_follows_torchs_fans(shape):
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    a = 2.0 * math.sqrt(6.0 / (fan_in + fan_out))
    x = ref("xavier_init", "xavier_uniform_")(torch.empty(shape, dtype=torch.float64), gain=2.0)
    assert x.abs().max() <= a


def test_xavier_fills_a_parameter_that_requires_grad():
    layer = nn.Linear(50, 40)
    weight = layer.weight
    out = ref("xavier_init", "xavier_uniform_")(layer.weight)
    assert out is weight and layer.weight is weight
    assert weight.requires_grad and weight.is_leaf and weight.grad_fn is None
    a = math.sqrt(6 / 90)
    assert weight.abs().max() <= a and weight.abs().max() > 0.95 * a


# ----------------------------------------------------------------------------- optimizers and adam

def _regression(seed, dtype, feature_dim=3, n=16):
    g = gen(seed)
    X = randn(g, n, feature_dim, dtype=dtype)
    y = X @ randn(g, feature_dim, 1, dtype=dtype) + 0.5 + 0.1 * randn(g, n, 1, dtype=dtype)
    w0 = randn(g, feature_dim, 1, dtype=dtype)
    b0 = randn(g, 1, dtype=dtype)
    return X, y, w0, b0


def _loss(X, y, w, b):
    return (((X @ w + b) - y) ** 2 / 2).mean()


def _run_book(update, init, hyperparams, seed, dtype, steps=6):
    """The book's train_ch11 loop with the reference update; returns w, b and the states after each step."""
    X, y, w0, b0 = _regression(seed, dtype)
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    states = _cast(init(X.shape[1]), dtype)
    history = []
    for _ in range(steps):
        _loss(X, y, w, b).backward()
        update([w, b], states, hyperparams)
        assert w.grad is not None and not w.grad.any() and not b.grad.any()
        assert w.is_leaf and b.is_leaf and w.requires_grad
        history.append((w.detach().clone(), b.detach().clone()))
    return history, states


def _run_torch(make_optimizer, seed, dtype, steps=6):
    X, y, w0, b0 = _regression(seed, dtype)
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    opt = make_optimizer([w, b])
    history = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(X, y, w, b).backward()
        opt.step()
        history.append((w.detach().clone(), b.detach().clone()))
    return history, opt


def _cast(states, dtype):
    if isinstance(states, torch.Tensor):
        return states.to(dtype)
    return type(states)(_cast(s, dtype) for s in states)


def _assert_histories(got, want, dtype, rtol=None, atol=None):
    kw = {} if rtol is None else {"rtol": rtol, "atol": atol}
    if dtype == torch.float64 and rtol is None:
        kw = {"rtol": 1e-10, "atol": 1e-12}
    for (w, b), (w2, b2) in zip(got, want):
        torch.testing.assert_close(w, w2, **kw)
        torch.testing.assert_close(b, b2, **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_momentum_is_torch_sgd_with_momentum(seed, dtype):
    hp = {"lr": 0.05, "momentum": 0.9}
    got, states = _run_book(ref("optimizers", "sgd_momentum"), ref("optimizers", "init_momentum_states"),
                            hp, seed, dtype)
    want, opt = _run_torch(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), seed, dtype)
    _assert_histories(got, want, dtype)
    for state, p in zip(states, opt.param_groups[0]["params"]):
        torch.testing.assert_close(state, opt.state[p]["momentum_buffer"])
    assert hp == {"lr": 0.05, "momentum": 0.9}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_adagrad_is_torch_adagrad_with_eps_moved_inside_the_root(seed, dtype):
    """sqrt(s + eps) with s summing from 0 is torch's sqrt(s') + 0 with s' summing from eps."""
    got, states = _run_book(ref("optimizers", "adagrad"), ref("optimizers", "init_adagrad_states"),
                            {"lr": 0.1}, seed, dtype)
    want, opt = _run_torch(lambda p: torch.optim.Adagrad(p, lr=0.1, eps=0.0, initial_accumulator_value=1e-6),
                           seed, dtype)
    _assert_histories(got, want, dtype)
    for state, p in zip(states, opt.param_groups[0]["params"]):
        torch.testing.assert_close(state + 1e-6, opt.state[p]["sum"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_rmsprop_is_torch_rmsprop_up_to_where_eps_sits(seed, dtype):
    """torch's RMSprop with eps=0 differs from sqrt(s + 1e-6) by at most lr * |g| * 1e-6 / (2 s^1.5)
    per step; the states are the same leaky averages."""
    hp = {"lr": 0.01, "gamma": 0.9}
    got, states = _run_book(ref("optimizers", "rmsprop"), ref("optimizers", "init_rmsprop_states"), hp, seed, dtype)
    want, opt = _run_torch(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0), seed, dtype)
    _assert_histories(got, want, dtype, rtol=1e-4, atol=1e-5)
    for state, p in zip(states, opt.param_groups[0]["params"]):
        torch.testing.assert_close(state, opt.state[p]["square_avg"], rtol=1e-4, atol=1e-6)


def test_rmsprop_puts_eps_inside_the_root():
    """Where s is tiny, eps inside the root dominates: the step is lr * g / sqrt(eps)."""
    w = torch.zeros(1, 1, dtype=torch.float64, requires_grad=True)
    w.grad = torch.full((1, 1), 1e-5, dtype=torch.float64)
    s = torch.zeros(1, 1, dtype=torch.float64)
    ref("optimizers", "rmsprop")([w], [s], {"lr": 0.1, "gamma": 0.9})
    s_want = 0.1 * 1e-10
    assert s.item() == pytest.approx(s_want, rel=1e-12)
    assert w.item() == pytest.approx(-0.1 * 1e-5 / math.sqrt(s_want + 1e-6), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_adadelta_is_torch_adadelta(seed, dtype):
    got, states = _run_book(ref("adam", "adadelta"), ref("adam", "init_adadelta_states"), {"rho": 0.9}, seed, dtype)
    want, opt = _run_torch(lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-5), seed, dtype)
    _assert_histories(got, want, dtype)
    for (s, delta), p in zip(states, opt.param_groups[0]["params"]):
        torch.testing.assert_close(s, opt.state[p]["square_avg"])
        torch.testing.assert_close(delta, opt.state[p]["acc_delta"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_adam_is_torch_adam_and_counts_t(seed, dtype):
    hp = {"lr": 0.05, "t": 1}
    got, states = _run_book(ref("adam"), ref("adam", "init_adam_states"), hp, seed, dtype)
    want, opt = _run_torch(lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-6), seed, dtype)
    _assert_histories(got, want, dtype)
    assert hp == {"lr": 0.05, "t": 7}
    for (v, s), p in zip(states, opt.param_groups[0]["params"]):
        torch.testing.assert_close(v, opt.state[p]["exp_avg"])
        torch.testing.assert_close(s, opt.state[p]["exp_avg_sq"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SEEDS)
def test_adamw_is_torch_adamw_not_adam_with_l2(seed, dtype):
    hp = {"lr": 0.05, "t": 1, "wd": 0.5}
    got, _ = _run_book(ref("adam", "adamw"), ref("adam", "init_adam_states"), hp, seed, dtype)
    want, _ = _run_torch(lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.5),
                         seed, dtype)
    _assert_histories(got, want, dtype)
    assert hp["t"] == 7
    l2, _ = _run_torch(lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.5),
                       seed, dtype)
    assert (got[-1][0] - l2[-1][0]).abs().max() > 1e-3


@pytest.mark.parametrize("module, init, shapes", [
    ("optimizers", "init_momentum_states", [(5, 1), (1,)]),
    ("optimizers", "init_adagrad_states", [(5, 1), (1,)]),
    ("optimizers", "init_rmsprop_states", [(5, 1), (1,)]),
    ("adam", "init_adadelta_states", [(5, 1), (5, 1), (1,), (1,)]),
    ("adam", "init_adam_states", [(5, 1), (5, 1), (1,), (1,)]),
])
def test_init_states_are_separate_zeros_of_the_books_shapes(module, init, shapes):
    states = ref(module, init)(5)
    flat = [t for s in states for t in (s if isinstance(s, tuple) else (s,))]
    assert [tuple(t.shape) for t in flat] == shapes
    assert all(t.dtype == torch.float32 and t.device.type == "cpu" and not t.any() for t in flat)
    assert len({t.data_ptr() for t in flat}) == len(flat)


def test_xavier_grader_checks_risk_at_most_1e_9_each():
    """Every statistical case of the xavier_init grader is large enough that each of its checks fails a
    correct solution with probability at most 1e-9 (the bounds the grader states in its messages)."""
    from d2lcoach.course import load_course
    from d2lcoach.grading import stats
    from d2lcoach.grading.engine import load_grader, make_cases
    exercise = load_course().get("xavier_init")
    grader = load_grader(exercise.grader_path)
    stat_cases = [c for c in make_cases(exercise, 0) if c.spec.get("driver") == "repeat" and c.devices != ("meta",)]
    assert len(stat_cases) >= 5
    for case in stat_cases:
        W = case.spec["args"][0]
        n, r = W.numel(), grader._resolution(W.dtype)
        assert n >= grader.MIN_ELEMENTS
        # a grid: P(every gap >= s) = (1 - (n - 1)(s - r))^n with s = 0.25 / (n - 1)
        assert n * math.log1p(-(0.25 - (n - 1) * r)) <= math.log(stats.FALSE_FAILURE)
        # two calls or two neighbours agreeing on half the elements: (4 * 2r)^(n / 2)
        assert n / 2 * math.log(8 * r) <= math.log(stats.FALSE_FAILURE)
        assert case.grader_data["a"] == pytest.approx(grader.bound(tuple(W.shape), case.spec["kwargs"].get("gain", 1.0)))
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(W)
        assert grader.fans(tuple(W.shape)) == (fan_in, fan_out)
