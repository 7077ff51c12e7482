"""Check the fedavg reference (federated averaging, McMahan et al. 2017) against independent implementations:
the definition written out element by element in Python floats, and torch.optim.swa_utils' equal-weight
average of models where every client holds as many examples."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

from tests.test_reference import DTYPES, SEEDS, gen, ref


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


def fedavg_by_elements(states: list[dict], counts: list[int]) -> dict:
    """sum_k n_k / n * W_k element by element in Python floats; integer entries from the first largest client."""
    n = float(sum(counts))
    first_largest = 0
    for k, c in enumerate(counts):
        if c > counts[first_largest]:
            first_largest = k
    out = {}
    for name, first in states[0].items():
        if not first.dtype.is_floating_point:
            out[name] = states[first_largest][name].clone()
            continue
        columns = zip(*(s[name].reshape(-1).tolist() for s in states))
        flat = [sum(c / n * w for c, w in zip(counts, ws)) for ws in columns]
        out[name] = torch.tensor(flat, dtype=torch.float64).reshape(first.shape).to(first.dtype)
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("counts", [[5, 50], [30, 7, 30], [1, 1, 1, 9], [12]])
def test_fedavg_matches_the_definition_in_place(seed, dtype, counts):
    g = gen(seed)
    global_model = _bn_net(g, dtype, 0)
    clients = [{k: v.clone() for k, v in _bn_net(g, dtype, 10 + 7 * k).state_dict().items()}
               for k in range(len(counts))]
    before = [{k: v.clone() for k, v in s.items()} for s in clients]
    expected = fedavg_by_elements(clients, counts)
    objects = [id(t) for t in [*global_model.parameters(), *global_model.buffers()]]
    assert ref("fedavg", "fedavg")(global_model, clients, list(counts)) is None
    assert objects == [id(t) for t in [*global_model.parameters(), *global_model.buffers()]]
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-12}
    for name, value in global_model.state_dict().items():
        assert value.dtype == expected[name].dtype
        torch.testing.assert_close(value, expected[name], **tol)
    for state, old in zip(clients, before):
        assert all(torch.equal(state[k], old[k]) for k in old)
    assert all(p.is_leaf and p.grad_fn is None and p.requires_grad for p in global_model.parameters())


def test_fedavg_takes_the_count_of_the_first_largest_client():
    g = gen(0)
    global_model = _bn_net(g, torch.float32, 0)
    clients = [_bn_net(g, torch.float32, b).state_dict() for b in (11, 22, 33)]
    ref("fedavg", "fedavg")(global_model, clients, [4, 9, 9])
    assert int(global_model[1].num_batches_tracked) == 22
    assert global_model[1].num_batches_tracked.dtype == torch.int64


@pytest.mark.parametrize("seed", SEEDS)
def test_fedavg_agrees_with_swa_utils_on_equal_counts(seed):
    """AveragedModel's default (SWA) average over models fed one by one is their plain mean, which FedAvg
    is when every client holds as many examples."""
    g = gen(seed)
    nets = [_bn_net(g, torch.float64, 5) for _ in range(4)]
    averaged = AveragedModel(nets[0], use_buffers=False)
    for net in nets:  # the first update copies its model; each later one folds the next into the mean
        averaged.update_parameters(net)
    global_model = _bn_net(g, torch.float64, 0)
    ref("fedavg", "fedavg")(global_model, [net.state_dict() for net in nets], [6, 6, 6, 6])
    for want, got in zip(averaged.module.parameters(), global_model.parameters()):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_fedavg_keeps_a_frozen_model_free_of_graphs():
    g = gen(1)
    global_model = _bn_net(g, torch.float32, 0).requires_grad_(False)
    clients = [dict(_bn_net(g, torch.float32, 3).state_dict(keep_vars=True)) for _ in range(2)]
    assert any(t.requires_grad for t in clients[0].values())
    ref("fedavg", "fedavg")(global_model, clients, [2, 3])
    assert all(p.is_leaf and p.grad_fn is None and not p.requires_grad for p in global_model.parameters())
