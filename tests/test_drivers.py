"""The standard drivers and their parent-side comparisons, run directly in the parent (no sandbox):
what each reports, and that a comparison names the property a wrong submission breaks."""

from __future__ import annotations

import torch
from torch import nn

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case
from d2lcoach.sandbox.runtime import drivers
from d2lcoach.sandbox.runtime.wire import decode, encode


def _as_sent(x):
    """What the parent receives from the child: the driver's plain data through the wire."""
    return decode(encode(x))


class _Good(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out))
        self.bias = nn.Parameter(torch.randn(n_out))

    def forward(self, X):
        return X @ self.weight + self.bias


class _ListOfLayers(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.layers = [nn.Linear(n_in, n_out)]

    def forward(self, X):
        return self.layers[0](X)


def _module_case():
    spec = {"driver": "module", "class": "Layer", "init": {"args": [3, 2]},
            "state": {"weight": torch.randn(3, 2), "bias": torch.randn(2)},
            "inputs": [torch.randn(4, 3)], "grad_outputs": [torch.randn(4, 2)]}
    return Case(property="values", args=(), kind="driver", spec=spec, label="Layer(3, 2)")


def test_module_driver_reports_registered_parameters_and_stages():
    case = _module_case()
    expected = drivers.run(case.spec, {"Layer": _Good}, "cpu")
    assert expected["parameters"] == [["weight", [3, 2]], ["bias", [2]]] and expected["unregistered"] == []
    assert expected["float64"]["dtypes"] == ["float64"] and expected["round_trip"]["keys"] == ["weight", "bias"]
    assert driven.compare_module(expected, _as_sent(drivers.run(case.spec, {"Layer": _Good}, "cpu")), case, "cpu") == []


def test_module_driver_fails_layers_in_a_plain_list():
    case = _module_case()
    expected = drivers.run(case.spec, {"Layer": _Good}, "cpu")
    found = driven.compare_module(expected, _as_sent(drivers.run(case.spec, {"Layer": _ListOfLayers}, "cpu")),
                                  case, "cpu")
    messages = [m for name, m in found if name == "registered parameters"]
    assert messages and "layers" in messages[0] and "not registered" in messages[0]


class _Masked(nn.Module):
    """forward(X, lengths): X @ weight with the rows at positions >= lengths[b] zeroed."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n))

    def forward(self, X, lengths=None):
        Y = X @ self.weight
        if lengths is None:
            return Y
        return Y * (torch.arange(X.shape[1], device=X.device)[None, :] < lengths[:, None])[..., None]


def test_module_driver_passes_extra_forward_arguments():
    """extra_args: one list per input of the arguments after X (integer tensors stay integers in the
    float64 stage); an input with no extra arguments uses forward's default."""
    X = torch.randn(2, 3, 4)
    spec = {"driver": "module", "class": "Layer", "init": {"args": [4]}, "state": {"weight": torch.eye(4)},
            "inputs": [X, X], "grad_outputs": [torch.ones(2, 3, 4), None],
            "extra_args": [[torch.tensor([1, 3])], []]}
    result = drivers.run(spec, {"Layer": _Masked}, "cpu")
    first, second = (r["output"] for r in result["forward"])
    assert torch.equal(first[0, 1:], torch.zeros(2, 4)) and torch.equal(first[1], X[1])
    assert torch.equal(second, X) and torch.equal(result["forward"][0]["input_grad"][0, 1:], torch.zeros(2, 4))
    assert torch.equal(result["float64"]["output"], first.double())
    assert torch.equal(result["round_trip"]["output"], first.double())


def _sgd(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()


def _sgd_rebuilds(params, lr):
    for i, p in enumerate(params):
        params[i] = p - lr * p.grad


def _sgd_keeps_gradients(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad


def _steps_case():
    spec = {"driver": "steps", "env": {"params": [torch.randn(2, 2), torch.randn(2)]}, "leaves": ["params"],
            "watch": ["params"], "steps": []}
    for _ in range(2):
        spec["steps"] += [{"set_grad": "params", "value": [torch.randn(2, 2), torch.randn(2)]},
                          {"call": "sgd", "args": [{"ref": "params"}, 0.1], "compare_output": False,
                           "label": "sgd(params, 0.1)"}]
    return Case(property="update", args=(), kind="driver", spec=spec, label="two sgd steps")


def test_steps_driver_reports_state_after_every_step():
    case = _steps_case()
    records = drivers.run(case.spec, {"sgd": _sgd}, "cpu")
    assert len(records) == 4
    after = records[1]["state"]["params"][0]
    assert after["same_object"] and after["is_leaf"] and after["requires_grad"] and not after["grad"].any()
    assert driven.compare_steps(records, _as_sent(drivers.run(case.spec, {"sgd": _sgd}, "cpu")), case, "cpu") == []


def test_steps_comparison_names_replaced_tensors_and_leftover_gradients():
    case = _steps_case()
    expected = drivers.run(case.spec, {"sgd": _sgd}, "cpu")
    found = dict(driven.compare_steps(expected, _as_sent(drivers.run(case.spec, {"sgd": _sgd_rebuilds}, "cpu")),
                                      case, "cpu"))
    assert {"same tensors updated", "no graph through the update"} <= set(found)
    assert "step 2 of 4" in found["same tensors updated"]
    found = dict(driven.compare_steps(expected, _as_sent(drivers.run(case.spec, {"sgd": _sgd_keeps_gradients}, "cpu")),
                                      case, "cpu"))
    assert set(found) == {"gradients zeroed"} and "params[0].grad" in found["gradients zeroed"]


def test_repeat_driver_is_reproducible_for_a_seed_and_leaves_the_global_generator_alone():
    spec = {"driver": "repeat", "function": "noise", "args": [torch.zeros(5)], "times": 2, "seed": 11}
    state = torch.get_rng_state()
    first = drivers.run(spec, {"noise": lambda X: X + torch.rand(X.shape)}, "cpu")
    second = drivers.run(spec, {"noise": lambda X: X + torch.rand(X.shape)}, "cpu")
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(a, b) for a, b in zip(first["outputs"], second["outputs"]))
    assert not torch.equal(first["outputs"][0], first["outputs"][1])


def test_compare_plain_shows_the_call_expected_and_actual():
    case = Case(property="values", args=(), label="merge([3, 1], [2])", function="merge")
    found = driven.compare_plain([1, 2, 3], [1, 3, 2], case, "cpu")
    assert found[0][0] == "values" and "merge([3, 1], [2])" in found[0][1]
    assert "[1, 2, 3]" in found[0][1] and "[1, 3, 2]" in found[0][1]
    assert driven.compare_plain({"a": 1}, {"a": 1.0}, case, "cpu")[0][0] == "result type"


def test_exact_containers_keep_tuple_list_and_key_order_apart():
    loose = Case(property="values", args=(), label="f()", function="f")
    exact = Case(property="values", args=(), label="f()", function="f", exact_containers=True)
    pair, reordered = ("a", "b"), {"y": 1, "x": 2}
    assert driven.compare_plain(pair, ["a", "b"], loose, "cpu") == []
    assert driven.compare_plain({"x": 2, "y": 1}, reordered, loose, "cpu") == []
    assert driven.compare_plain(pair, ["a", "b"], exact, "cpu")[0][0] == "result type"
    assert driven.compare_plain({"x": 2, "y": 1}, reordered, exact, "cpu")[0][0] == "values"
    assert driven.compare_plain(pair, ("a", "b"), exact, "cpu") == []
    assert driven.compare_plain({"x": 2, "y": 1}, {"x": 2, "y": 1}, exact, "cpu") == []


class _Embed(nn.Module):
    """Token ids through a frozen and a trained embedding, summed over the sequence."""

    def __init__(self, vocab, dim, freeze=True):
        super().__init__()
        self.frozen = nn.Embedding(vocab, dim)
        self.trained = nn.Embedding(vocab, dim)
        self.frozen.weight.requires_grad_(not freeze)

    def forward(self, tokens):
        return (self.frozen(tokens) + self.trained(tokens)).sum(dim=1)


def _embed_case():
    spec = {"driver": "module", "class": "Layer", "init": {"args": [5, 3]},
            "state": {"frozen.weight": torch.randn(5, 3), "trained.weight": torch.randn(5, 3)},
            "inputs": [torch.tensor([[0, 4, 2], [1, 1, 3]])], "grad_outputs": [torch.randn(2, 3)]}
    return Case(property="values", args=(), kind="driver", spec=spec, label="Layer(5, 3)")


def test_module_driver_takes_token_ids_and_fails_a_frozen_parameter_that_trains():
    """An integer first input is run without an input gradient (the parameters still get theirs);
    a parameter the reference leaves without a gradient must not receive one."""
    case = _embed_case()
    expected = drivers.run(case.spec, {"Layer": _Embed}, "cpu")
    record = expected["forward"][0]
    assert record["input_grad"] is None and record["grads"]["frozen.weight"] is None
    assert torch.count_nonzero(record["grads"]["trained.weight"]) > 0
    assert driven.compare_module(expected, _as_sent(drivers.run(case.spec, {"Layer": _Embed}, "cpu")), case, "cpu") == []
    trains = type("Trains", (_Embed,), {"__init__": lambda self, v, d: _Embed.__init__(self, v, d, freeze=False)})
    found = driven.compare_module(expected, _as_sent(drivers.run(case.spec, {"Layer": trains}, "cpu")), case, "cpu")
    assert [name for name, _ in found] == ["gradients"] and "frozen.weight" in found[0][1]
