"""The standard drivers of the `driver` kind: plain-data specs that say how to exercise a submission.

A grader declares `Case(kind="driver", spec={"driver": NAME, ...})`. The same driver runs in the
trusted parent on the reference solution and in the sandboxed child on the submission, so both
start from identical inputs; it returns plain data only (numbers, strings, lists, dicts, tensors)
and decides nothing. The parent's comparisons live in d2lcoach/grading/driven.py.

Drivers (see docs/writing-a-grader.md, "Kinds"):
  steps   a sequence of calls whose state carries over (training loops, optimiser steps, stateful
          objects); declared state is reported after every call instead of failed as mutation.
  module  an nn.Module class: registered parameters, outputs and gradients with the reference's
          weights, `.to(torch.float64)`, a state_dict round trip.
  repeat  the same call N times (random output graded by statistics), outputs and gradients.

`call(fn, *args, **kwargs)` runs learner code (the child wraps it in its recorders); `plain(x)`
describes a learner value as plain data. Imports only torch: this file is copied into the sandbox.
"""

from __future__ import annotations

import torch
from torch import nn

_LAYERS = {"linear": nn.Linear, "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid,
           "leaky_relu": nn.LeakyReLU, "flatten": nn.Flatten}
_LOSSES = {"BCEWithLogitsLoss": nn.BCEWithLogitsLoss, "MSELoss": nn.MSELoss, "L1Loss": nn.L1Loss,
           "CrossEntropyLoss": nn.CrossEntropyLoss, "HuberLoss": nn.HuberLoss}
_OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
               "adadelta": torch.optim.Adadelta}
_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
           "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
_MAX_TEXT = 300
#: The tensor types a value may have and still count as a plain tensor: the sandboxed child adds the
#: stand-in GPU's (standin.py) when it loads; nothing a submission writes can reach this set.
TENSOR_TYPES = {torch.Tensor}


def _direct(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def _same(x):
    return x


def run(spec: dict, functions: dict, device: str, call=_direct, plain=_same):
    """Run the driver `spec["driver"]` on `functions` (the submission's or the reference's names)."""
    driver = DRIVERS[spec["driver"]]
    with torch.random.fork_rng(devices=[]):
        if spec.get("seed") is not None:
            torch.manual_seed(int(spec["seed"]))
        return driver(spec, functions, device, call, plain)


# --------------------------------------------------------------------------- plain data helpers

def is_ref(x) -> bool:
    """`{"ref": name}` in a spec stands for the object that `name` holds in the driver's state."""
    return isinstance(x, dict) and set(x) == {"ref"} and isinstance(x["ref"], str)


def place(x, device):
    """A fresh copy of plain data with every tensor on `device` (refs are left as they are)."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(device, copy=True)
    if isinstance(x, tuple):
        return tuple(place(v, device) for v in x)
    if isinstance(x, list):
        return [place(v, device) for v in x]
    if isinstance(x, dict) and not is_ref(x):
        return {k: place(v, device) for k, v in x.items()}
    return x


def _resolve(x, env, device, fresh):
    """Refs become the state's objects; literal tensors become fresh copies (listed in `fresh`)."""
    if is_ref(x):
        return env[x["ref"]]
    if isinstance(x, torch.Tensor):
        t = x.detach().to(device, copy=True)
        fresh.append(t)
        return t
    if isinstance(x, tuple):
        return tuple(_resolve(v, env, device, fresh) for v in x)
    if isinstance(x, list):
        return [_resolve(v, env, device, fresh) for v in x]
    if isinstance(x, dict):
        return {k: _resolve(v, env, device, fresh) for k, v in x.items()}
    return x


def tensors_in(x, out=None) -> list:
    out = [] if out is None else out
    if isinstance(x, torch.Tensor):
        out.append(x)
    elif isinstance(x, (tuple, list)):
        for v in x:
            tensors_in(v, out)
    elif isinstance(x, dict):
        for v in x.values():
            tensors_in(v, out)
    return out


def detached(x):
    """Plain data with every tensor detached (the learner's graph never leaves the driver)."""
    if type(x) in TENSOR_TYPES:
        return x.detach()
    if isinstance(x, (tuple, list)):
        return type(x)(detached(v) for v in x)
    if isinstance(x, dict):
        return {k: detached(v) for k, v in x.items()}
    return x


def _changed(fresh, before) -> list[int]:
    """Indices (in order of appearance) of the literal input tensors that a call changed in place."""
    return [i for i, (t, b) in enumerate(zip(fresh, before))
            if t.device.type != "meta" and (t.shape != b.shape or not torch.equal(t.detach(), b))]


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:_MAX_TEXT]


def _sum_backward(outputs, grad_outputs):
    """backward(o, g) for each pair, as one scalar sum(o * g) (no symbolic-shape machinery needed)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if g is not None]
    sum((o * g).sum() for o, g in pairs).backward()


# --------------------------------------------------------------------------- trusted torch objects

def build_net(layers, state, device, dtype) -> nn.Sequential:
    """An nn.Sequential from ["linear", n_in, n_out] / ["tanh"] / ... items, loaded with `state`."""
    modules = []
    for layer in layers:
        if layer[0] == "linear":
            modules.append(nn.Linear(int(layer[1]), int(layer[2])))
        else:
            modules.append(_LAYERS[layer[0]]())
    net = nn.Sequential(*modules).to(device=device, dtype=dtype)
    with torch.no_grad():
        for name, param in net.named_parameters():
            param.copy_(state[name].to(device=device, dtype=dtype))
    return net


def _build(item: dict, env: dict, device):
    """A network, loss or optimiser the driver makes itself (trusted code, never the learner's), or a
    torch.dtype / the run's torch.device to pass as an argument (neither can travel as plain data)."""
    kind = item["build"]
    if kind == "dtype":
        return _DTYPES[item["name"]]
    if kind == "device":
        return torch.device(device)
    if kind == "sequential":
        return build_net(item["layers"], item["state"], device, getattr(torch, item["dtype"]))
    if kind == "embedding":  # an nn.Embedding holding `weight` (num_embeddings, dim), trainable
        return nn.Embedding.from_pretrained(item["weight"].to(device), freeze=False)
    if kind == "loss":
        return _LOSSES[item["type"]](**item.get("options", {}))
    if kind == "optimizer":
        return _OPTIMIZERS[item["type"]](env[item["module"]].parameters(), **item.get("options", {}))
    raise ValueError(f"unknown build {kind!r}")


# --------------------------------------------------------------------------- watching state

def _identities(x):
    return [id(t) for t in _watched_tensors(x)]


def _watched_tensors(x):
    if isinstance(x, nn.Module):
        return [p for _, p in x.named_parameters()]
    return tensors_in(x)


def watch_tensor(t, original: bool, plain) -> dict:
    """What a declared state tensor looks like after a call: values, gradient, identity, graph."""
    if not isinstance(t, torch.Tensor) or (type(t) not in TENSOR_TYPES and type(t) is not nn.Parameter):
        return {"value": plain(t)}
    grad = t.grad if t.is_leaf else None  # a non-leaf has no .grad (reading it warns)
    return {"value": t.detach().clone(), "same_object": original,
            "grad": grad.detach().clone() if type(grad) in TENSOR_TYPES else plain(grad),
            "requires_grad": bool(t.requires_grad), "is_leaf": bool(t.is_leaf)}


def _watch(x, originals: set, plain):
    if isinstance(x, nn.Module):
        return {"parameters": {name: watch_tensor(p, id(p) in originals, plain)
                               for name, p in x.named_parameters()}}
    if isinstance(x, torch.Tensor):
        return watch_tensor(x, id(x) in originals, plain)
    if type(x) in (list, tuple):
        return [_watch(v, originals, plain) for v in x]
    if type(x) is dict:
        return {str(k): _watch(v, originals, plain) for k, v in x.items()}
    return plain(x)


def _count_backward(x, counter: list):
    """Count the backward passes that reach `x` (a module's first parameter, or a tensor)."""
    target = next(iter(x.parameters()), None) if isinstance(x, nn.Module) else x
    if isinstance(target, torch.Tensor) and target.requires_grad:
        def count(grad):
            counter[0] += 1
            return grad
        target.register_hook(count)


# --------------------------------------------------------------------------- the drivers

def _steps(spec, functions, device, call, plain):
    """Calls in order over one carried state; after each call its output and the declared state.

    spec: env {name: plain value} (moved to the device), spread {name: [device or "run", ...]} (the
    items of a list in env moved each to its device, after that), held {name: env list}: a shallow copy of that
    list made before the first step (the items as the caller holds them, whatever the calls rebind in
    the list), leaves [names whose tensors require grad],
    build {name: trusted object}, watch [names reported after every step], count_backward [names],
    steps [{"call": function name or {"ref": name}, "method": name, "args": [...], "kwargs": {...},
    "save": name} | {"backward": name} | {"set_grad": name, "value": tensors}].
    """
    env = {name: place(value, device) for name, value in spec.get("env", {}).items()}
    for name, where in spec.get("spread", {}).items():  # a list's items on several devices ("run": the run's)
        env[name] = [t.to(device if d == "run" else d) for t, d in zip(env[name], where)]
    for name, source in spec.get("held", {}).items():  # the caller's own references to a list's items
        env[name] = list(env[source])
    for name in spec.get("leaves", ()):
        for t in tensors_in(env[name]):
            t.requires_grad_(True)
    for name, item in spec.get("build", {}).items():
        env[name] = _build(item, env, device)
    watch = list(spec.get("watch", ()))
    originals = {name: set(_identities(env[name])) for name in watch}
    counters = {}
    for name in spec.get("count_backward", ()):
        counters[name] = [0]
        _count_backward(env[name], counters[name])
    records = []
    for step in spec["steps"]:
        for counter in counters.values():
            counter[0] = 0
        record = {}
        if "call" in step:
            target = step["call"]
            fn = functions[target] if isinstance(target, str) else env[target["ref"]]
            if step.get("method"):
                fn = call(getattr, fn, step["method"])
            fresh = []
            args = _resolve(step.get("args", []), env, device, fresh)
            kwargs = _resolve(step.get("kwargs", {}), env, device, fresh)
            before = [t.clone() for t in fresh]
            out = call(fn, *args, **kwargs)
            if step.get("save"):
                env[step["save"]] = out
            record["output"] = detached(plain(out))
            record["changed"] = _changed(fresh, before)
        elif "backward" in step:
            _sum_backward([env[step["backward"]]], [torch.ones((), device=device)])
        elif "set_grad" in step:
            for t, g in zip(tensors_in(env[step["set_grad"]]), tensors_in(step["value"])):
                t.grad = g.to(device=t.device, dtype=t.dtype, copy=True)
        if watch:
            record["state"] = {name: _watch(env.get(name), originals[name], plain) for name in watch}
        if counters:
            record["backward_passes"] = {name: c[0] for name, c in counters.items()}
        records.append(record)
    return records


def _unregistered(module: nn.Module) -> list[str]:
    """Attributes that hold parameters or layers autograd sees but the module does not register:
    layers in a plain list/dict/tuple, or a tensor that requires grad stored as a plain attribute."""
    found = []
    for prefix, sub in module.named_modules():
        for name, value in vars(sub).items():
            if name.startswith("_"):
                continue
            items = list(value.values()) if type(value) is dict else (
                list(value) if type(value) in (list, tuple) else [value])
            if any(isinstance(v, nn.Module) or (isinstance(v, torch.Tensor) and not isinstance(v, nn.Parameter)
                                                and v.requires_grad) or isinstance(v, nn.Parameter)
                   for v in items):
                found.append(f"{prefix}.{name}" if prefix else name)
    return found


def _forward_record(module, X, extra, grad_output, call, plain) -> dict:
    # token ids (an integer X) take no gradient; the parameters behind them still do
    X = X.detach().clone().requires_grad_(grad_output is not None and X.is_floating_point())
    extra = place(extra, X.device)  # fresh copies: a forward that changes one cannot reach the next stage
    record = {}
    if grad_output is None:
        with torch.no_grad():
            record["output"] = detached(plain(call(module, X, *extra)))
        return record
    for p in module.parameters():
        p.grad = None
    out = call(module, X, *extra)
    record["output"] = detached(plain(out))
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != tuple(grad_output.shape):
        record["grad_error"] = "the output is not a tensor of the expected shape"
        return record
    if not out.requires_grad:
        record["grad_error"] = "the output does not require grad"
        return record
    _sum_backward([out], [grad_output.to(device=out.device, dtype=out.dtype)])
    record["grads"] = {name: (p.grad.detach().clone() if type(p.grad) in TENSOR_TYPES else None)
                       for name, p in module.named_parameters()}
    record["input_grad"] = X.grad.detach().clone() if type(X.grad) in TENSOR_TYPES else None
    return record


def _float64(x):
    """A floating tensor in float64; anything else (integer lengths, None, numbers) as it is."""
    return x.to(torch.float64) if isinstance(x, torch.Tensor) and x.is_floating_point() else x


def _module(spec, functions, device, call, plain):
    """Build the class, load the reference's weights by name, run forward and backward, then
    `.to(torch.float64)` and a state_dict round trip into a fresh instance.

    spec: class, init {"args", "kwargs"}, state {parameter or buffer name: tensor}, dtype,
    mode ("train", the default, or "eval"), inputs [X, ...], grad_outputs [G or None, ...], and
    optionally extra_args [[more forward arguments after X (tensors, numbers, None)], ...], one list
    per input (`forward(X, valid_lens)`, `forward(X, Y)`); gradients are X's and the parameters'.
    With `buffers` [names], those buffers (BatchNorm's running statistics) after the forwards.
    Stages after loading report their own errors as plain text.
    """
    cls = functions[spec["class"]]
    init = spec.get("init", {})
    args, kwargs = place(init.get("args", []), "cpu"), place(init.get("kwargs", {}), "cpu")
    dtype = getattr(torch, spec.get("dtype", "float32"))
    module = call(cls, *args, **kwargs)
    if not isinstance(module, nn.Module):
        return {"is_module": False, "type": type(module).__name__}
    result = {"is_module": True,
              "parameters": [[str(name), [int(n) for n in p.shape]]
                             for name, p in call(lambda: list(module.named_parameters()))],
              "unregistered": _unregistered(module)}
    call(module.to, device=device, dtype=dtype)
    params = dict(module.named_parameters())
    params.update((name, b) for name, b in module.named_buffers() if name in spec["state"])
    with torch.no_grad():
        for name, value in spec["state"].items():
            if name not in params or tuple(params[name].shape) != tuple(value.shape):
                result["load_error"] = name
                return result
            params[name].copy_(value.to(device=device, dtype=dtype))
    train = spec.get("mode", "train") == "train"
    call(module.train, train)
    inputs = [place(X, device) for X in spec["inputs"]]
    grad_outputs = spec.get("grad_outputs") or [None] * len(inputs)
    extras = [place(list(e), device) for e in spec.get("extra_args") or [[]] * len(inputs)]
    result["forward"] = [_forward_record(module, X, e, g if g is None else place(g, device), call, plain)
                         for X, e, g in zip(inputs, extras, grad_outputs)]
    if spec.get("buffers"):  # the running statistics the forwards left behind (training mode updates them)
        wanted = set(spec["buffers"])
        result["buffers"] = {str(name): b.detach().clone() for name, b in call(lambda: list(module.named_buffers()))
                             if name in wanted and type(b) in TENSOR_TYPES}

    def first64():
        return [_float64(x) for x in place([inputs[0], *extras[0]], device)]

    try:
        call(module.to, torch.float64)
        with torch.no_grad():
            out = call(module, *first64())
        result["float64"] = {"output": detached(plain(out)),
                             "dtypes": sorted({str(p.dtype).replace("torch.", "") for p in module.parameters()})}
    except Exception as exc:  # noqa: BLE001 - a stage that fails is reported, the next still runs
        result["float64"] = {"error": _error_text(exc)}
    try:
        state = call(module.state_dict)
        fresh = call(cls, *place(args, "cpu"), **place(kwargs, "cpu"))
        call(fresh.to, device=device, dtype=torch.float64)
        call(fresh.load_state_dict, state)
        call(fresh.train, train)
        with torch.no_grad():
            out = call(fresh, *first64())
        result["round_trip"] = {"keys": [str(k) for k in state.keys()], "output": detached(plain(out))}
    except Exception as exc:  # noqa: BLE001
        result["round_trip"] = {"error": _error_text(exc)}
    return result


def _repeat(spec, functions, device, call, plain):
    """The same call `times` times on fresh copies of the same inputs: every output, which inputs
    each call changed in place, and with `grad` (argument indices) each call's input gradients
    for `grad_outputs`."""
    fn = functions[spec["function"]]
    grad = list(spec.get("grad", ()))
    outputs, changed, grads = [], [], []
    for _ in range(int(spec["times"])):
        args = place(list(spec["args"]), device)
        kwargs = place(spec.get("kwargs", {}), device)
        for i in grad:
            args[i].requires_grad_(True)
        before = [t.detach().clone() for t in tensors_in(args)]
        out = call(fn, *args, **kwargs)
        outputs.append(detached(plain(out)))
        changed.append(_changed(tensors_in(args), before))
        if grad:
            grads.append(_input_grads(out, [args[i] for i in grad], place(spec["grad_outputs"], device)))
    result = {"outputs": outputs, "changed": changed}
    if grad:
        result["grads"] = grads
    return result


def _input_grads(out, leaves, grad_outputs):
    if type(out) not in TENSOR_TYPES or tuple(out.shape) != tuple(grad_outputs[0].shape):
        return "the output is not a tensor of the expected shape"
    if not out.requires_grad:
        return "the output does not require grad"
    _sum_backward([out], grad_outputs)
    return [leaf.grad.detach().clone() if type(leaf.grad) in TENSOR_TYPES else None for leaf in leaves]


DRIVERS = {"steps": _steps, "module": _module, "repeat": _repeat}

