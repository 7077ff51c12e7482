"""Runs a learner's submission on the grader's cases, inside the sandboxed child process.

Everything here runs next to untrusted code, so nothing here decides a grade: it loads the
submission, calls it on the inputs the parent sent, and reports plain data back (outputs, the
operators that ran, errors, which arguments changed). The parent compares and judges.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import sys
import time
import traceback
import types

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

import drivers
import kernels
import routines
import standin
import wire

# torch's C++ looks up DTensor, importing torch.distributed.tensor (2.5 s, and sympy), the first time it
# makes the Python object of a tensor subclass itself (`x.as_subclass(...)` on a stand-in tensor).
# Nothing in the sandbox uses DTensor: a placeholder module whose DTensor no tensor is spares that.
_placeholder = types.ModuleType("torch.distributed.tensor", "placeholder: the sandbox has no DTensor")
_placeholder.DTensor = type("DTensor", (), {})
sys.modules.setdefault("torch.distributed.tensor", _placeholder)
drivers.TENSOR_TYPES.add(standin.StandIn)
standin.warm()  # in the warm worker, before any fork

_MAX_TRACE = 2000


class _Evidence:
    """What the recorders saw, written out of this process the moment it is first seen.

    The worker reads the other end of the pipe, so a submission cannot take back what was sent:
    clearing a set in this process afterwards changes nothing. Set up by the worker (`fd`).
    """

    fd: int | None = None
    sent: set = set()

    @classmethod
    def send(cls, line: str):
        if cls.fd is None or line in cls.sent:
            return
        cls.sent.add(line)
        try:
            os.write(cls.fd, (line[:200] + "\n").encode())
        except OSError:
            pass


class _OpRecorder(TorchDispatchMode):
    """Records every operator that runs. On a meta run it also refuses an operator that mixes a meta
    tensor with a real one (writing into a CPU tensor would otherwise only say "needs values")."""

    def __init__(self, seen: set, meta: bool = False, standin_below: bool = False):
        super().__init__()
        self.seen = seen
        self.meta = meta
        self.standin_below = standin_below  # it dispatches for the stand-in, whose mode it lifted

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # No torch.compile runs here; wrapping __torch_dispatch__ in dynamo.disable would import
        # torch._dynamo, which costs about a second at every sandbox start.
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func._schema.name
        if name not in self.seen:
            self.seen.add(name)
            _Evidence.send(name)
        if self.meta:
            devices = {t.device.type for t in tree_flatten((args, kwargs))[0]
                       if isinstance(t, torch.Tensor) and (t.dim() > 0 or t.device.type == "meta")}
            if "meta" in devices and len(devices) > 1:
                other = sorted(devices - {"meta"})[0]
                raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                                   f"devices, meta and {other} (in {name})")
        if self.standin_below:
            return standin.dispatch(func, args, kwargs or {})
        return func(*args, **(kwargs or {}))


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self, seen: set):
        super().__init__()
        self.seen = seen

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = "function::" + str(getattr(func, "__name__", type(func).__name__))
        if name not in self.seen:
            self.seen.add(name)
            _Evidence.send(name)
        return func(*args, **(kwargs or {}))


_RECORD = {"ops": True, "functions": True}
_GENUINE = {_OpRecorder: _OpRecorder.__dict__["__torch_dispatch__"],
            _FunctionRecorder: _FunctionRecorder.__dict__["__torch_function__"]}


def _untouched(recorder) -> bool:
    """The recorder still runs our code (a submission may patch the class or its instance)."""
    kind = type(recorder)
    method = "__torch_dispatch__" if kind is _OpRecorder else "__torch_function__"
    return (_GENUINE.get(kind) is kind.__dict__.get(method) and method not in vars(recorder)
            and kind.__mro__[1:2] in ((TorchDispatchMode,), (TorchFunctionMode,)))


@contextlib.contextmanager
def _recording(seen: set, device: str, genuine=_GENUINE, untouched=_untouched, send=_Evidence.send):
    """Record what runs, as the request asked: operators (also on every meta run, to refuse device
    mixing there) and torch functions. Recording costs time, so an exercise that forbids nothing at
    a level does not pay for it. Before and after the call the recorders are checked: patched
    classes or a recorder popped off the mode stack are reported as tampering. On the stand-in GPU the
    operator recorder takes the place of the stand-in's own mode for the call and dispatches for it."""
    with contextlib.ExitStack() as stack:
        recorders = []
        if _RECORD["functions"]:
            recorders.append(_FunctionRecorder(seen))
        if _RECORD["ops"] or device == "meta":
            lifted = device == standin.NAME and stack.enter_context(standin.taken_over())
            recorders.append(_OpRecorder(seen, meta=device == "meta", standin_below=lifted))
        if not all(untouched(r) for r in recorders):
            send("tamper::the recorder classes were patched")
        for recorder in recorders:
            stack.enter_context(recorder)
        try:
            yield
        finally:
            dispatch = [m for m in torch.utils._python_dispatch._get_current_dispatch_mode_stack()]
            ops = [r for r in recorders if isinstance(r, _OpRecorder)]
            if ops and (not dispatch or dispatch[-1] is not ops[0]):
                send("tamper::the operator recorder was removed during the call")
            if not all(untouched(r) for r in recorders):
                send("tamper::the recorder classes were patched during the call")


def _error(exc: BaseException, filename: str) -> dict:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    trace = "".join(traceback.format_list(frames))[-_MAX_TRACE:]
    message = str(exc)
    if len(message) > 1000:
        message = message[:1000] + "..."
    return {"type": type(exc).__name__, "message": message, "trace": trace}


def _plain(x, depth=0):
    """Describe a learner's return value as plain data: tensors, numbers, tuples, lists, str-keyed dicts,
    or a type name."""
    if depth > 8:
        return {"__object__": "nested too deeply"}
    if type(x) in drivers.TENSOR_TYPES:
        return x
    if isinstance(x, torch.Tensor):
        return {"__subclass__": type(x).__name__}
    if x is None or type(x) in (bool, int, float, str):
        return x
    if type(x) in (tuple, list):
        return type(x)(_plain(v, depth + 1) for v in x)
    if type(x) is dict and all(type(k) is str and len(k) <= 120 and k.isprintable() for k in x) \
            and not set(x) & {"__object__", "__subclass__"}:
        return {k: _plain(v, depth + 1) for k, v in x.items()}  # a str-keyed dict (bpe's token_freqs)
    return {"__object__": type(x).__name__}


def _tensors(x, out):
    if type(x) in drivers.TENSOR_TYPES:
        out.append(x)
    elif type(x) in (tuple, list):
        for v in x:
            _tensors(v, out)
    return out


_to = drivers.place  # a fresh copy on the device for every call, so one call never changes another's inputs


def _get(args, path):
    x = args
    for p in path:
        x = x[p]
    return x


def _snapshot(args):
    snap = []

    def walk(x, path):
        if isinstance(x, torch.Tensor):
            snap.append((list(path), x, x.clone()))
        elif isinstance(x, (tuple, list)):
            for i, v in enumerate(x):
                walk(v, path + [i])
    positional, keywords = args
    walk(positional, [])
    for key, value in keywords.items():
        walk(value, [key])
    return snap


def _mutated(snap) -> list:
    changed = []
    for path, tensor, before in snap:
        if tensor.device.type == "meta":
            continue
        if tensor.shape != before.shape or not torch.equal(tensor, before):
            changed.append(path)
    return changed


class Submission:
    """The learner's module, loaded from source text with an import guard in force."""

    def __init__(self, source: str, filename: str, allowed_imports: list[str]):
        self.filename = filename
        self.allowed = set(allowed_imports)
        self.module = types.ModuleType("submission")
        self.module.__file__ = filename
        self.module.__builtins__ = self._guarded_builtins()

    def _guarded_builtins(self):
        real_import = builtins.__import__
        allowed = self.allowed

        def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
            if globals is not None and globals.get("__name__") == "submission":
                top = name.split(".")[0]
                if level != 0 or top not in allowed:
                    raise ImportError(f"import of {name!r} is not allowed in this exercise")
            return real_import(name, globals, locals, fromlist, level)

        table = dict(vars(builtins))
        table["__import__"] = guarded_import
        return table

    def load(self, source: str):
        code = compile(source, self.filename, "exec")
        exec(code, self.module.__dict__)


def run_request(request: dict) -> dict:
    """Load the submission and run every case on every device; never raises."""
    torch.set_num_threads(1)
    _RECORD["ops"] = bool(request.get("record_ops", True))
    _RECORD["functions"] = bool(request.get("record_functions", True))
    filename = request["filename"]
    result = {"load_error": None, "missing": [], "runs": []}
    kernels.disable(request.get("disable_ops"), _Evidence.fd)  # before any learner code runs
    routines.disable(request.get("disable_functions"), _Evidence.fd,
                     ops=[entry[0] for entry in request.get("disable_ops") or ()])
    submission = Submission(request["source"], filename, request["allowed_imports"])
    sys.modules["submission"] = submission.module
    seen_at_load: set = set()
    try:
        with _FunctionRecorder(seen_at_load), _OpRecorder(seen_at_load):
            submission.load(request["source"])
    except BaseException as exc:  # noqa: BLE001 - any failure of learner code is a result
        if isinstance(exc, SystemExit):
            result["load_error"] = {"type": "SystemExit", "message": f"exit({exc.code!r}) while loading",
                                    "trace": ""}
        else:
            result["load_error"] = _error(exc, filename)
        return result
    functions = {}
    for name in request["functions"]:
        fn = submission.module.__dict__.get(name)
        if not callable(fn):
            result["missing"].append(name)
        functions[name] = fn
    if result["missing"]:
        return result
    for case in request["cases"]:
        for device in case["devices"]:
            result["runs"].append(_run_case(case, device, functions, filename))
    return result


def _run_case(case: dict, device: str, functions: dict, filename: str) -> dict:
    run = {"case": case["id"], "device": device, "error": None, "output": None, "mutated": [],
           "grads": None, "grad_error": None, "ops": []}
    seen: set = set()
    start = time.perf_counter()
    with _on(device):
        try:
            if case.get("kind") == "driver":
                _run_driver(case, device, functions, seen, run)
            else:
                _run_call(case, device, functions, seen, run, filename)
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, SystemExit):
                run["error"] = {"type": "SystemExit", "message": f"exit({exc.code!r}) during the call",
                                "trace": ""}
            else:
                run["error"] = _error(exc, filename)
        run["seconds"] = time.perf_counter() - start
        run["ops"] = sorted(seen)
        return _sendable(run) if device == standin.NAME else run


def _sendable(x):
    """Stand-in tensors as their CPU values tagged with their device, taken while the stand-in is on:
    outside it, torch would import its distributed package (seconds) the first time one is touched."""
    if type(x) is standin.StandIn:
        return wire.SentTensor(standin.to_cpu(x), str(x.device))
    if type(x) in (tuple, list):
        return type(x)(_sendable(v) for v in x)
    if type(x) is dict:
        return {k: _sendable(v) for k, v in x.items()}
    return x


def _on(device: str):
    """The stand-in GPU switched on for a run on it; nothing for the other devices."""
    return standin.on() if device == standin.NAME else contextlib.nullcontext()


def _run_call(case, device, functions, seen, run, filename):
    fn = functions[case["function"]]
    args = _to(case["args"], device)
    kwargs = _to(case.get("kwargs") or {}, device)
    snap = _snapshot((args, kwargs))
    with _recording(seen, device):
        out = fn(*args, **kwargs)
    run["output"] = _plain(out)
    run["mutated"] = _mutated(snap)
    grad_paths = case.get("grad") or []
    if not grad_paths or device == "meta":
        return
    # A second, separate call with gradients switched on for the chosen arguments.
    args = _to(case["args"], device)
    leaves = []
    for path in grad_paths:
        leaf = _get(args, path)
        leaf.requires_grad_(True)
        leaves.append(leaf)
    try:
        with _recording(seen, device):
            out = fn(*args, **kwargs)
        outs = _tensors(out, [])
        grad_outputs = [_to(g, device) for g in case["grad_outputs"]]
        pairs = [(o, g) for o, g in zip(outs, grad_outputs) if g is not None]
        if len(outs) < len(grad_outputs) or any(o.shape != g.shape for o, g in pairs):
            run["grad_error"] = {"type": "shape", "message": "the output's shape differs, so no gradient was checked",
                                 "trace": ""}
            return
        if not all(o.requires_grad for o, _ in pairs):
            run["grad_error"] = {"type": "detached", "message": "the output does not require grad", "trace": ""}
            return
        # sum(o * g) backpropagates exactly what backward(o, g) does, and a scalar needs no
        # grad_outputs (whose checks would import autograd's symbolic-shape machinery).
        sum((o * g).sum() for o, g in pairs).backward()
    except BaseException as exc:  # noqa: BLE001
        run["grad_error"] = _error(exc, filename) if not isinstance(exc, SystemExit) else {
            "type": "SystemExit", "message": "exit during the gradient call", "trace": ""}
        return
    run["grads"] = [leaf.grad if type(leaf.grad) in drivers.TENSOR_TYPES or leaf.grad is None
                    else {"__subclass__": type(leaf.grad).__name__} for leaf in leaves]


def _run_driver(case, device, functions, seen, run):
    """A `driver` case: the standard driver named by the spec, every learner call recorded."""
    def recorded(fn, *args, **kwargs):
        with _recording(seen, device):
            return fn(*args, **kwargs)

    run["output"] = drivers.run(case["spec"], functions, device, call=recorded, plain=_plain)
