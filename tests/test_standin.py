"""The stand-in GPU (d2lcoach/sandbox/runtime/standin.py), exercised in this process as a submission
would see it: an accelerator device with real values that refuses to mix with CPU tensors.

Registering the stand-in's backend is process-wide and harmless to the other tests: it adds the
`npu` device; nothing else in torch changes outside `standin.on()`."""

from __future__ import annotations

import sys
import types

import pytest
import torch

from d2lcoach.sandbox.runtime import standin


@pytest.fixture
def on():
    with standin.on():
        yield


def test_it_looks_like_an_accelerator_not_like_meta(on, monkeypatch):
    # Printing a tensor subclass imports torch.distributed.tensor; the sandbox gives it a placeholder
    # (harness.py), as here: the real one, imported under the stand-in, runs into lazy_dynamo's shim.
    placeholder = types.ModuleType("torch.distributed.tensor")
    placeholder.DTensor = type("DTensor", (), {})
    monkeypatch.setitem(sys.modules, "torch.distributed.tensor", placeholder)
    X = standin.place(torch.randn(3, 4))
    assert (X.device.type, str(X.device), X.is_meta, X.is_cpu) == ("npu", "npu:0", False, False)
    assert type(X).__name__ == "Tensor" and repr(type(X)) == "<class 'torch.Tensor'>"
    assert repr(X).startswith("tensor(") and repr(X).endswith("device='npu:0')")
    for made in (torch.zeros(2, device=X.device), X.new_zeros(5), torch.empty_like(X),
                 torch.arange(3).to(X.device), torch.tensor([1.0, 2.0], device=X.device)):
        assert made.device == X.device
    assert type(X.cpu()) is torch.Tensor and X.to("cpu").device.type == "cpu"


def test_it_computes_real_values_and_gradients(on):
    values = torch.randn(3, 4)
    X = standin.place(values).requires_grad_(True)
    out = torch.softmax(X, dim=1) * 2
    assert torch.equal(out.detach().cpu(), torch.softmax(values, dim=1) * 2)
    (out * out).sum().backward()
    assert X.grad.device == X.device
    Y = values.clone().requires_grad_(True)
    (torch.softmax(Y, dim=1) * 2).pow(2).sum().backward()
    assert torch.allclose(X.grad.cpu(), Y.grad)
    assert X[0, 0].item() == values[0, 0].item() and X.tolist() == values.tolist()


def test_in_place_writes_and_views_reach_the_values(on):
    X = standin.place(torch.zeros(2, 3))
    X[1].fill_(5.0)
    X.add_(1)
    assert torch.equal(X.cpu(), torch.tensor([[1.0] * 3, [6.0] * 3]))


def test_mixing_with_a_cpu_tensor_raises_as_on_a_gpu(on):
    X = standin.place(torch.ones(2, 3))
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        X + torch.ones(2, 3)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        X @ torch.ones(3, 2)
    assert torch.equal((X * torch.tensor(2.0)).cpu(), torch.full((2, 3), 2.0))  # a CPU scalar is allowed
    with pytest.raises(TypeError, match="npu:0 device type tensor to numpy"):
        X.numpy()


def test_a_module_moved_to_float64_keeps_its_weights(on):
    """nn.Module.to(dtype) sets `param.data`; the values inside must follow (they did not)."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 2)
    want = layer.weight.detach().double()
    layer.to("npu").to(torch.float64)
    assert isinstance(layer.weight, torch.nn.Parameter) and layer.weight.device.type == "npu"
    assert torch.equal(layer.weight.detach().cpu(), want)
    assert layer(standin.place(torch.ones(1, 3, dtype=torch.float64))).dtype == torch.float64


def test_the_drivers_take_stand_in_tensors_for_tensors(on, monkeypatch):
    """As in the sandboxed child (harness.py adds the type): the repeat driver's gradients come back."""
    from d2lcoach.sandbox.runtime import drivers
    monkeypatch.setattr(drivers, "TENSOR_TYPES", drivers.TENSOR_TYPES | {standin.StandIn})
    spec = {"driver": "repeat", "function": "double", "times": 2, "args": [torch.ones(2, 3)], "grad": [0],
            "grad_outputs": [torch.ones(2, 3)]}
    result = drivers.run(spec, {"double": lambda X: X * 2}, standin.NAME)
    assert [out.device.type for out in result["outputs"]] == [standin.NAME] * 2
    assert all(torch.equal(g[0].cpu(), torch.full((2, 3), 2.0)) for g in result["grads"])


def test_in_place_and_out_results_are_the_tensors_written_into(on):
    """In-place and out= operators return the argument they wrote into, as torch's own aliasing fix-up
    does (the stand-in takes that answer from the schema once per operator)."""
    X = standin.place(torch.zeros(2, 3))
    assert X.add_(1) is X and X.mul_(2) is X and X[0].fill_(5.0).device == X.device
    out = standin.place(torch.empty(2, 3))
    assert torch.add(X, 1, out=out) is out
    values, indices = standin.place(torch.empty(2)), standin.place(torch.empty(2, dtype=torch.long))
    got = torch.max(X, 1, out=(values, indices))
    assert got[0] is values and got[1] is indices
    assert torch.equal(X.cpu(), torch.tensor([[5.0] * 3, [2.0] * 3])) and values.tolist() == [5.0, 2.0]
    view = X.view(6)  # a view goes through torch's general fix-up
    view[0] = 7.0
    assert view._base is X and X[0, 0].item() == 7.0
    assert standin._alias_plan(torch.ops.aten.add_.Tensor) == ((0, "self"),)
    assert standin._alias_plan(torch.ops.aten.view.default) is True
    assert standin._alias_plan(torch.ops.aten.add.Tensor) is None


_RECORDER_ON_THE_STAND_IN = """
import json, sys
import torch
sys.path.insert(0, sys.argv[1])
import harness, standin
from torch.utils._python_dispatch import _get_current_dispatch_mode_stack as modes
harness._RECORD.update(ops=True, functions=False)
sent = []
harness._Evidence.send = staticmethod(sent.append)
seen = set()
with standin.on():
    X = standin.place(torch.ones(2, 3))
    with harness._recording(seen, standin.NAME):
        during = [type(m).__name__ for m in modes()]
        Y = (X * 2).sum(0) + torch.zeros(3, device=X.device)
        Y.add_(1)
        try:
            X + torch.ones(2, 3)
            mixed = ""
        except RuntimeError as exc:
            mixed = str(exc)
    after = [type(m).__name__ for m in modes()]
    print(json.dumps({"during": during, "after": after, "seen": sorted(seen), "device": str(Y.device),
                      "values": standin.to_cpu(Y).tolist(), "mixed": mixed, "sent": sent}))
"""


def test_the_operator_recorder_dispatches_for_the_stand_in():
    """On a stand-in run the operator recorder takes the stand-in mode's place for the call (one Python
    dispatch per operator, not two): what runs is still recorded and sent, results stay on the stand-in,
    a factory naming it works, mixing with the CPU still raises, and the stand-in's mode is back after."""
    import json
    import subprocess
    from pathlib import Path
    runtime = Path(standin.__file__).parent
    done = subprocess.run([sys.executable, "-c", _RECORDER_ON_THE_STAND_IN, str(runtime)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["during"] == ["_OpRecorder"] and got["after"] == ["_Mode"]
    assert {"aten::mul", "aten::sum", "aten::zeros", "aten::add", "aten::add_"} <= set(got["seen"])
    assert set(got["sent"]) == set(got["seen"])
    assert got["device"] == "npu:0" and got["values"] == [5.0, 5.0, 5.0]
    assert "Expected all tensors to be on the same device" in got["mixed"]
