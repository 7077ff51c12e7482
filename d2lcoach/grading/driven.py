"""The parent's comparisons for the standard drivers and for pure-Python results.

A grader picks one as its case's `compare`: `compare_steps` (the `steps` driver), `compare_module`
(the `module` driver), `compare_plain` (any plain result: lists, dicts, str, int, float, tensors).
The `repeat` driver's outputs are judged by the grader's own statistics (d2lcoach/grading/stats.py).
Every message names the call, what was expected and what came back, like the tensor comparisons.
"""

from __future__ import annotations

import dataclasses

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.engine import compare_output
from d2lcoach.sandbox.runtime.wire import SentTensor

#: Checks the steps driver's comparison may report besides each step's property.
STATE_CHECKS = ("same tensors updated", "gradients zeroed", "no graph through the update")
_SHOW = 300


def _a(name: str) -> str:
    """`a float`, `an int`, `an object`."""
    return ("an " if name[:1].lower() in "aeiou" and name[:1] else "a ") + name


def _kind(x) -> str:
    if isinstance(x, SentTensor):
        return "a tensor"
    if isinstance(x, dict) and ("__object__" in x or "__subclass__" in x):
        return _a(str(x.get("__object__") or x.get("__subclass__")))
    return "None" if x is None else _a(type(x).__name__)


def _short(x) -> str:
    text = repr(x.tensor.tolist() if isinstance(x, SentTensor) and x.tensor.numel() <= 16 else x)
    return text if len(text) <= _SHOW else text[:_SHOW] + "..."


def compare_plain(expected, actual, case: Case, device: str, where: str = "the result") -> list[tuple[str, str]]:
    """Compare plain data: tensors and floats with the case's tolerance, everything else exactly.
    A container that differs also shows the whole expected and actual value when they are short."""
    found = _walk(expected, actual, case, device, where)
    if found and isinstance(expected, (list, tuple, dict)) and found[0][0] == case.property:
        name, message = found[0]
        found[0] = (name, f"{message}\nExpected {where}: {_short(expected)}\nGot:      {_short(actual)}")
    return found


def _walk(expected, actual, case, device, where):
    call = case.label or f"{case.function}(...)"
    if isinstance(expected, (torch.Tensor, float)):
        return compare_output(expected, actual, case, device, where)
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or "__object__" in actual or "__subclass__" in actual:
            return [("result type", f"{call}: {where} should be a dict, got {_kind(actual)}")]
        if list(actual) != list(expected) and set(actual) != set(expected):  # other keys: a wrong value
            return [(case.property, f"{call}: {where} has keys {_short(sorted(map(str, actual)))}, "
                     f"expected {_short(sorted(map(str, expected)))}")]
        if case.exact_containers and list(actual) != list(expected):
            return [(case.property, f"{call}: {where} has the right keys in the wrong order: "
                     f"{_short(list(actual))}, expected {_short(list(expected))}")]
        return [p for key in expected for p in _walk(expected[key], actual[key], case, device, f"{where}[{key!r}]")]
    if isinstance(expected, (list, tuple)):
        if case.exact_containers and type(actual) is not type(expected) and type(actual) in (list, tuple):
            return [("result type", f"{call}: {where} should be {_a(type(expected).__name__)}, got "
                     f"{_a(type(actual).__name__)}")]
        if type(actual) not in (list, tuple) or len(actual) != len(expected):
            got = f"a {type(actual).__name__} of {len(actual)}" if type(actual) in (list, tuple) else _kind(actual)
            return [("result type", f"{call}: {where} should be {_a(type(expected).__name__)} of "
                     f"{len(expected)} values, got {got}")]
        return [p for i, (e, a) in enumerate(zip(expected, actual))
                for p in _walk(e, a, case, device, f"{where}[{i}]")]
    if type(actual) is not type(expected):
        return [("result type", f"{call}: {where} should be {_kind(expected)}, got {_kind(actual)}")]
    if device != "meta" and actual != expected:
        return [(case.property, f"{call}: {where} is {_short(actual)}, expected {_short(expected)}"
                 + (f"\nHint: {case.hint}" if case.hint else ""))]
    return []


# --------------------------------------------------------------------------- the steps driver

def step_label(case: Case, k: int) -> str:
    step = case.spec["steps"][k]
    return f"{case.label}: step {k + 1} of {len(case.spec['steps'])}, {step.get('label') or 'the call'}"


def compare_steps(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Each step's output and, after it, the declared state; the first difference per check.

    A step may name its own `property` (the check its values fail) and `compare_output: False`.
    Declared tensors are also checked for identity (`same tensors updated`), gradients left in them
    (`gradients zeroed`) and a graph through the update (`no graph through the update`)."""
    if type(actual) is not list or len(actual) != len(expected) or not all(type(r) is dict for r in actual):
        return [("result type", f"{case.label}: the steps did not come back as expected ({_kind(actual)})")]
    found: dict[str, str] = {}
    for k, (want, got) in enumerate(zip(expected, actual)):
        step = case.spec["steps"][k]
        here = dataclasses.replace(case, property=step.get("property", case.property), label=step_label(case, k))
        if "output" in want and step.get("compare_output", True):
            for name, message in compare_plain(want["output"], got.get("output"), here, device):
                found.setdefault(name, message)
        if got.get("changed"):
            found.setdefault("no mutation", f"{here.label} changed an input it was given in place; compute new "
                             "tensors instead (no +=, *=, [...] = or *_ methods on the inputs)")
        for name, watched in (want.get("state") or {}).items():
            seen = (got.get("state") or {}).get(name) if isinstance(got.get("state"), dict) else None
            for check, message in _compare_watched(watched, seen, here, device, name):
                found.setdefault(check, message)
    return list(found.items())


def _compare_watched(want, got, case, device, name) -> list[tuple[str, str]]:
    after = f"{case.label}: afterwards {name}"
    if isinstance(want, dict) and "same_object" in want:
        if not isinstance(got, dict) or "same_object" not in got:
            value = got.get("value") if isinstance(got, dict) else got
            return [("same tensors updated", f"{after} is {_kind(value)}, no longer the tensor the caller "
                     "passed in: update the tensors in place")]
        return _compare_tensor_state(want, got, case, device, after)
    if isinstance(want, dict) and set(want) == {"parameters"}:
        got = got.get("parameters") if isinstance(got, dict) else got
        want = want["parameters"]
    if isinstance(want, dict) and set(want) != {"value"}:
        if not isinstance(got, dict) or set(got) != set(want) or (case.exact_containers and list(got) != list(want)):
            return compare_plain(want, got, case, device, f"afterwards {name}")
        return [p for key in want for p in _compare_watched(want[key], got[key], case, device, f"{name}.{key}")]
    if isinstance(want, list):
        if type(got) is not list or len(got) != len(want):
            return [("result type", f"{after} should hold {len(want)} values, got {_kind(got)}")]
        return [p for i, (w, g) in enumerate(zip(want, got)) for p in _compare_watched(w, g, case, device, f"{name}[{i}]")]
    return compare_plain(want, got, case, device, f"afterwards {name}")


def _compare_tensor_state(want, got, case, device, after) -> list[tuple[str, str]]:
    found = []
    if not got["same_object"] and want["same_object"]:
        found.append(("same tensors updated", f"{after} is a new tensor object, not the one the caller holds: "
                      "update it in place (param -= ..., under torch.no_grad()), do not rebind or replace it"))
    if (want["is_leaf"] and not got.get("is_leaf")) or (want["requires_grad"] and not got.get("requires_grad")):
        what = "is no longer a leaf tensor" if not got.get("is_leaf") else "no longer requires grad"
        found.append(("no graph through the update", f"{after} {what}: the update was recorded by autograd. "
                      "Update parameters inside `with torch.no_grad():`, in place"))
    found += compare_output(want["value"], got.get("value"), case, device, after.split(": afterwards ", 1)[-1])
    if device == "meta":
        return found
    want_grad, got_grad = want.get("grad"), got.get("grad")
    zero_wanted = want_grad is None or (isinstance(want_grad, torch.Tensor) and not bool(want_grad.any()))
    got_zero = got_grad is None or (isinstance(got_grad, SentTensor) and not bool(got_grad.tensor.any()))
    if zero_wanted and not got_zero:
        found.append(("gradients zeroed", f"{after}.grad still holds a gradient: zero it after the update "
                      "(param.grad.zero_()), or the next backward() adds to it"))
    elif not zero_wanted and got_grad is None:
        found.append(("gradients", f"{after}.grad is None: no gradient reached it (was it detached, or used "
                      "through .data or under torch.no_grad()?)"))
    elif not zero_wanted:  # however the gradient is wrong (values, shape, dtype), the property is the gradient
        found += [("gradients", message) for _, message in compare_output(want_grad, got_grad, case, device,
                                                                           "its gradient")]
    return found


# --------------------------------------------------------------------------- the module driver

MODULE_CHECKS = ("registered parameters", "gradients", "float64", "state_dict round trip")


def compare_module(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Registered parameters, outputs (the case's property) and gradients with the reference's weights,
    `.to(torch.float64)` and a state_dict round trip."""
    cls = case.spec["class"]
    call = case.label or f"{cls}(...)"
    if not isinstance(actual, dict) or actual.get("is_module") is not True:
        got = actual.get("type") if isinstance(actual, dict) else None
        return [("result type", f"{call}: {cls}(...) made {'a ' + str(got) if got else 'something'}, not an "
                 "nn.Module: subclass nn.Module and call super().__init__() first")]
    found = []
    unregistered = [str(n) for n in actual.get("unregistered") or []]
    if unregistered:
        found.append(("registered parameters", f"{call}: {', '.join(unregistered)} hold parameters or layers the "
                      "module does not register (a plain Python list, dict or tensor attribute), so its "
                      "parameters are not registered: parameters(), optimisers, .to() and state_dict() miss "
                      "them. Use nn.Parameter, nn.ModuleList or nn.Sequential"))
    want_params = [[str(n), list(s)] for n, s in expected["parameters"]]
    got_params = actual.get("parameters")
    if _ordered(got_params, case) != _ordered(want_params, case):
        found.append(("registered parameters", f"{call}: the registered parameters are "
                      f"{_params_text(got_params)}, expected {_params_text(want_params)}"))
    if actual.get("load_error") is not None and not found:
        found.append(("registered parameters", f"{call}: the reference's {actual['load_error']} could not be "
                      "loaded: the module has no parameter or buffer of that name and shape"))
    if actual.get("load_error") is not None or "forward" not in actual:
        return found
    for i, (want, got) in enumerate(zip(expected["forward"], actual["forward"])):
        where = f"the output for input {i + 1}"
        found += compare_output(want["output"], got.get("output"), case, device, where)
        if device == "meta" or "grads" not in want:
            continue
        if got.get("grad_error"):
            found.append(("gradients", f"{call}: backward through {where} failed: {got['grad_error']}"))
            continue
        grads = dict(got.get("grads") or {})
        grads["the input X"] = got.get("input_grad")
        wants = dict(want["grads"])
        wants["the input X"] = want["input_grad"]
        for pname, w in wants.items():
            g = grads.get(pname)
            if w is None:
                if isinstance(g, SentTensor) and bool(g.tensor.any()):
                    found.append(("gradients", f"{call}: a gradient reached {pname}, which the reference leaves "
                                  "without one (a frozen parameter still trains: requires_grad=False, or detach it)"))
                continue
            if not isinstance(g, SentTensor):
                found.append(("gradients", f"{call}: no gradient reached {pname} (cut off the graph?)"))
                continue
            for check, message in compare_output(w, g, case, device, f"the gradient of {pname}"):
                found.append(("gradients" if check == case.property else check, message))
    found += _buffers(expected, actual, case, device)
    found += _stage(expected, actual, "float64", case, device, ".to(torch.float64), then the output for input 1")
    found += _stage(expected, actual, "round_trip", case, device,
                    "a fresh instance loaded with load_state_dict(state_dict()), then the output for input 1")
    return found


def _buffers(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """With the spec's `buffers` (names), each of those buffers after the forwards (the running
    statistics a training-mode forward updates), as values of the case's property."""
    if not case.spec.get("buffers") or device == "meta":
        return []
    call = case.label or case.spec["class"]
    got = actual.get("buffers")
    if not isinstance(got, dict):
        return [(case.property, f"{call}: the module's buffers did not come back")]
    found = []
    for name in case.spec["buffers"]:
        want = expected["buffers"][name]
        if name not in got:
            found.append((case.property, f"{call}: the module has no buffer {name} (its running statistics): "
                          "build the layer with nn.BatchNorm2d(num_channels), default momentum"))
            continue
        found += compare_output(want, got[name], case, device,
                                f"{name} after the forward passes in training mode")
    return found


def _stage(expected, actual, key, case, device, what) -> list[tuple[str, str]]:
    check = "float64" if key == "float64" else "state_dict round trip"
    want, got = expected.get(key) or {}, actual.get(key)
    call = case.label or case.spec["class"]
    if not isinstance(got, dict):
        return [(check, f"{call}: {what}: nothing came back")]
    if got.get("error"):
        return [(check, f"{call}: {what} raised {str(got['error'])[:300]}")]
    found = []
    if key == "float64" and got.get("dtypes") != want.get("dtypes"):
        found.append((check, f"{call}: after .to(torch.float64) the parameters are {got.get('dtypes')}, "
                      f"expected {want.get('dtypes')}: register them as nn.Parameter so .to() converts them"))
    if key == "round_trip" and _ordered(got.get("keys"), case) != _ordered(want.get("keys"), case):
        found.append((check, f"{call}: state_dict() has keys {got.get('keys')}, expected {want.get('keys')}"))
    for name, message in compare_output(want["output"], got.get("output"), case, device, what):
        found.append((check, message))
    return found


def _ordered(items, case: Case):
    """`items` as compared: in registration order, or sorted when the spec says `"any_order": True`
    (a module whose layers the learner may define in any order, like the book's Residual)."""
    if not case.spec.get("any_order") or not isinstance(items, list):
        return items
    return sorted(items, key=repr)


def _params_text(params) -> str:
    if not isinstance(params, list):
        return "unreadable"
    if not params:
        return "none"
    return ", ".join(f"{p[0]} {tuple(p[1])}" for p in params if isinstance(p, list) and len(p) == 2)
