"""Check the references of course part VI added in part6b (model_ema, fedavg) against independent
implementations: torch.optim.swa_utils' EMA and the definitions written out element by element."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from tests.test_reference import DTYPES, SEEDS, gen, ref

# ----------------------------------------------------------------------------- model_ema


def _bn_net(g, dtype, batches: int) -> nn.Module:
    """Linear-BatchNorm-Linear with random weights and running statistics, and a count of batches."""
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).to(dtype)
    with torch.no_grad():
        for t in net.state_dict().values():
            if t.dtype.is_floating_point:
                t.copy_(torch.randn(t.shape, generator=g, dtype=torch.float64).to(dtype))
        net[1].running_var.abs_().add_(0.5)
        net[1].num_batches_tracked.fill_(batches)
    return net


def ema_by_elements(ema_state: dict, state: dict, gamma: float) -> dict:
    """W_bar = gamma * W + (1 - gamma) * W_bar, element by element in float64; integer entries copied."""
    out = {}
    for name, old in ema_state.items():
        new = state[name]
        if not old.dtype.is_floating_point:
            out[name] = new.clone()
            continue
        flat = [gamma * float(w) + (1 - gamma) * float(w_bar)
                for w, w_bar in zip(new.reshape(-1).tolist(), old.reshape(-1).tolist())]
        out[name] = torch.tensor(flat, dtype=torch.float64).reshape(old.shape).to(old.dtype)
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("gamma", [0.0, 0.01, 0.3, 1.0])
def test_ema_update_matches_the_definition_in_place(seed, dtype, gamma):
    g = gen(seed)
    ema, model = _bn_net(g, dtype, 3), _bn_net(g, dtype, 10)
    ema.requires_grad_(False)
    expected = ema_by_elements({k: v.clone() for k, v in ema.state_dict().items()}, model.state_dict(), gamma)
    before_model = {k: v.clone() for k, v in model.state_dict().items()}
    objects = [id(t) for t in [*ema.parameters(), *ema.buffers()]]
    assert ref("model_ema", "ema_update")(ema, model, gamma) is None
    assert objects == [id(t) for t in [*ema.parameters(), *ema.buffers()]]
    for name, value in ema.state_dict().items():
        assert value.dtype == expected[name].dtype
        torch.testing.assert_close(value, expected[name], **({"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-12}))
    for name, value in model.state_dict().items():
        assert torch.equal(value, before_model[name])
    assert all(p.is_leaf and p.grad_fn is None for p in ema.parameters())


@pytest.mark.parametrize("seed", SEEDS)
def test_ema_update_agrees_with_swa_utils_over_steps(seed):
    """torch's own EMA (AveragedModel with get_ema_multi_avg_fn(decay)) averages parameters and buffers with
    decay = 1 - gamma; it copies the model on its first update, so compare from the second on."""
    g = gen(seed)
    model = _bn_net(g, torch.float64, 5)
    gamma = 0.1
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(1 - gamma), use_buffers=True)
    averaged.update_parameters(model)  # the first update copies the model
    ema = _bn_net(g, torch.float64, 0)
    ema.load_state_dict(model.state_dict())
    for _ in range(4):
        with torch.no_grad():
            for t in model.state_dict().values():
                if t.dtype.is_floating_point:
                    t.add_(torch.randn(t.shape, generator=g, dtype=torch.float64) * 0.1)
        averaged.update_parameters(model)
        ref("model_ema", "ema_update")(ema, model, gamma)
        for (name, want), got in zip(averaged.module.state_dict().items(), ema.state_dict().values()):
            if want.dtype.is_floating_point:
                torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12, msg=name)


def test_ema_update_raises_nothing_on_a_model_that_requires_grad():
    g = gen(0)
    ema, model = _bn_net(g, torch.float32, 1), _bn_net(g, torch.float32, 2)
    ref("model_ema", "ema_update")(ema, model, 0.5)
    assert all(p.requires_grad and p.is_leaf for p in ema.parameters())
    assert int(ema[1].num_batches_tracked) == 2 and ema[1].num_batches_tracked.dtype == torch.int64
