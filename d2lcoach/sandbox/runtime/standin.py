"""The stand-in GPU: on a grader without CUDA, a device `npu` whose tensors compute on the CPU.

The contract's device property (results live on the inputs' device; nothing hard-codes `cpu`) needs
a second device. PyTorch's `meta` device told a submission what it was (`X.is_meta`), so code built
on a hard-coded `cpu` could special-case it, and it had no values to check. The stand-in computes
real values, so the parent checks values there too, and behaves as an accelerator does:

- `x.device` is `npu:0` (`x.device.type` "npu", `x.is_meta` and `x.is_cpu` false, `x.get_device()`
  0); `str`/`repr` print as a tensor on `npu:0` does.
- `torch.zeros(..., device=x.device)`, `x.new_zeros`, `*_like`, `x.to('npu')`, `x.npu()` and
  `nn.Module.to(x.device)` make stand-in tensors; `x.cpu()` and `x.to('cpu')` give plain CPU tensors
  with the same values; autograd, views and in-place operators work as on any device.
- An operator that mixes a stand-in tensor with a CPU tensor of one or more dimensions raises
  "Expected all tensors to be on the same device, but found at least two devices, npu:0 and cpu!",
  as CUDA does (CPU scalars, copies between the devices and CPU index tensors are allowed, as there).
- `x.numpy()` refuses as on a GPU; `x.data_ptr()` gives the address of the values; `x.tolist()`,
  `x.item()` and formatting work.

Why `npu` and not `cuda`: a tensor can claim `cuda` (FakeTensor's trick), but autograd then asks
the CUDA driver for streams and aborts the process where there is none. So the stand-in is
PyTorch's PrivateUse1 backend, registered from Python (`_setup_privateuseone_for_python_backend`)
under the name Ascend's real backend uses. `StandIn` is a wrapper subclass
(`torch.Tensor._make_wrapper_subclass`) around a plain CPU tensor; its `__torch_dispatch__` and,
for factories that have no tensor argument, a dispatch mode (`on()`) unwrap, run the operator on
the CPU, and wrap what comes back. Each operator costs one Python dispatch (benchmarks/bench_standin.py).

What it cannot hide, from code that looks at the machinery rather than at tensors:
- `type(x) is torch.Tensor` is false (its `__name__`, `__module__` and `__qualname__` read
  `Tensor`, `torch`, `Tensor`, so printing the type shows `<class 'torch.Tensor'>`);
- the device's name: `x.device.type` is "npu", a device no grader has, and `torch.cuda.is_available()`
  is false; a submission can tell it is not on CUDA, but not that it is on a stand-in, and whatever it
  does there is checked for values and device as on a real GPU;
- the dispatch mode on torch's mode stack, and `torch.npu` is torch's placeholder module;
- a CPU generator passed to a factory on the stand-in is accepted, and its random numbers are the CPU's.
The code policy already refuses private names, dunder attributes (`__class__`, `__dict__`) and
`torch.utils` (the mode stack); it leaves `type(x)` allowed: refusing the builtin would refuse
honest code, and what a submission can learn from it buys no credit (values are checked here).
This file is copied into the sandbox: it imports only torch.
"""

from __future__ import annotations

import contextlib

import torch
from torch.utils._python_dispatch import (TorchDispatchMode, _get_current_dispatch_mode_stack, _pop_mode_temporarily,
                                         get_alias_info, return_and_correct_aliasing)

NAME = "npu"


_DEVICE = []  # the stand-in's torch.device, once registered


def _register() -> torch.device:
    """Register the PrivateUse1 backend as NAME, with torch's Python hooks and device guard (once per
    process: the sandboxed child registers it on its first stand-in run, the parent never does)."""
    if not _DEVICE:
        # Autograd sizes its pool of device threads once, at its first backward pass, from the devices
        # registered then. Run that pass before the registration: no thread is ever started for the
        # stand-in (the sandbox allows none, and a forked child refuses autograd threads started in
        # its parent), and on() has the calling thread run the stand-in's backward passes.
        one = torch.ones((), requires_grad=True)
        (one * 2).backward()
        if torch._C._get_privateuse1_backend_name() != NAME:
            from torch.utils.backend_registration import _setup_privateuseone_for_python_backend
            _setup_privateuseone_for_python_backend(NAME)
        _DEVICE.append(torch.device(NAME, 0))
    return _DEVICE[0]


_CPU = torch.device("cpu")
_aten = torch.ops.aten
#: Operators that take CPU tensors beside GPU ones on a real GPU as well.
_MIXING_ALLOWED = {_aten.copy_.default, _aten._to_copy.default, _aten.index.Tensor, _aten.index_put_.default,
                   _aten.index_put.default, _aten._index_put_impl_.default, _aten.lift_fresh.default}


class StandIn(torch.Tensor):
    """A tensor on the stand-in GPU: `npu:0` outside, a plain CPU tensor (`_elem`) inside."""

    @staticmethod
    def __new__(cls, elem: torch.Tensor):
        wrapper = torch.Tensor._make_wrapper_subclass(
            cls, elem.size(), strides=elem.stride(), storage_offset=elem.storage_offset(), dtype=elem.dtype,
            layout=elem.layout, device=_register(), requires_grad=elem.requires_grad)
        wrapper._elem = elem
        return wrapper

    def __init__(self, elem: torch.Tensor):
        pass  # __new__ did it all

    def __repr__(self, *, tensor_contents=None):
        text = super().__repr__(tensor_contents=tensor_contents)
        return "tensor(" + text.removeprefix("Tensor(")  # what torch prints for its own type

    @property
    def data(self):
        return torch.Tensor.data.__get__(self)

    @data.setter
    def data(self, value):  # `p.data = new` (nn.Module.to does it): the values inside follow the new tensor
        torch.Tensor.data.__set__(self, value)
        self._elem = value._elem if type(value) is StandIn else value

    def __format__(self, format_spec):
        if self.dim() == 0:  # what torch.Tensor does for its own type only (printing uses it)
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def tolist(self):
        return self._elem.tolist()

    def data_ptr(self) -> int:
        return self._elem.data_ptr()

    def numpy(self, *, force: bool = False):
        raise TypeError("can't convert npu:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
                        "tensor to host memory first.")

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._elem.detach(),))

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        return dispatch(func, args, kwargs or {})


StandIn.__name__ = StandIn.__qualname__ = "Tensor"
StandIn.__module__ = "torch"


def _rebuild(elem):
    return StandIn(elem)


def _is_ours(device) -> bool:
    return torch.device(device).type == NAME


def _unwrap(x):
    """An operator's argument with stand-in tensors replaced by their values (aten nests one list deep;
    a list without one, such as a shape, is passed on as it is)."""
    kind = type(x)
    if kind is StandIn:
        return x._elem
    if kind is list or kind is tuple:
        for v in x:
            if type(v) is StandIn:
                return kind([v._elem if type(v) is StandIn else v for v in x])
    return x


def _unwrap_all(args: tuple) -> tuple:
    return tuple([_unwrap(v) for v in args])


def _wrap(x):
    kind = type(x)
    if kind is torch.Tensor:
        return StandIn(x)
    if kind is list or kind is tuple:
        return kind(_wrap(v) for v in x)
    return x


def _devices(values) -> tuple[bool, bool]:
    """Whether the arguments hold a stand-in tensor, and a CPU tensor of one or more dimensions."""
    ours = cpu = False
    for x in values:
        for t in (x if type(x) is list or type(x) is tuple else (x,)):
            kind = type(t)
            if kind is StandIn:
                ours = True
            elif kind is torch.Tensor and t.dim() > 0:
                cpu = True
    return ours, cpu


_ALIASES: dict = {}  # operator -> how its results alias its arguments (`_alias_plan`)


def _alias_plan(func):
    """How an operator's results alias its arguments: None (they do not), a tuple naming, for each
    result, the argument it is written into (in-place and out= operators: (position, name) each), or
    True (views, and anything else: torch's `return_and_correct_aliasing` fixes those up). The tuple
    is what that function returns for such operators, without its per-call schema normalisation."""
    if not any(r.alias_info is not None for r in func._schema.returns):
        return None
    info = get_alias_info(func)
    if info.read_only_alias_match_indexes or info.is_inplace_view_op or not info.outs_write_aliases:
        return True
    sources = []
    for alias in info.outs_write_aliases:
        found = [i for i, a in enumerate(info.args) if alias in a.alias_set]
        if len(found) != 1:
            return True
        sources.append((found[0], info.args[found[0]].name))
    return tuple(sources)


def _written(plan, func, args, kwargs, out):
    """The arguments an in-place or out= operator wrote into, returned as its results."""
    picked = []
    for index, name in plan:
        if name is not None and name in kwargs:
            picked.append(kwargs[name])
        elif index < len(args):
            picked.append(args[index])
        else:  # passed in a way the plan did not foresee: torch's general fix-up
            return return_and_correct_aliasing(func, args, kwargs, out)
    return picked[0] if len(picked) == 1 else type(out)(picked)


def dispatch(func, args, kwargs):
    """Run one operator as the stand-in does (its tensors' and its mode's `__torch_dispatch__`, and a
    mode that took its mode's place: `taken_over`)."""
    ours, cpu = _devices(args)
    if kwargs:
        more = _devices(kwargs.values())
        ours, cpu = ours or more[0], cpu or more[1]
    device = kwargs.get("device")
    if device is not None and _is_ours(device):
        kwargs = {**kwargs, "device": _CPU}
        if kwargs.get("pin_memory"):
            kwargs["pin_memory"] = False
        wrap = True
    elif device is not None:
        wrap = False  # to the CPU, explicitly
    elif ours:
        wrap = True
    else:
        return func(*args, **kwargs)
    if ours and cpu and func not in _MIXING_ALLOWED:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, npu:0 and cpu! (when checking argument in {func._schema.name})")
    out = func(*_unwrap_all(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    if not wrap:
        return out
    out = _wrap(out)
    plan = _ALIASES.get(func, False)
    if plan is False:
        plan = _ALIASES[func] = _alias_plan(func)
    if not ours or plan is None:
        return out
    if plan is True:
        return return_and_correct_aliasing(func, args, kwargs, out)
    return _written(plan, func, args, kwargs, out)


class _Mode(TorchDispatchMode):
    """Catches factories that name the stand-in device and have no tensor argument (`torch.zeros`)."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # no torch.compile here; the default would import torch._dynamo (a second)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return dispatch(func, args, kwargs or {})


def warm():
    """Register the device and run a few operators, forward and backward, once: the warm worker does
    this before it forks, so no child pays for torch's lazy imports on its first stand-in run."""
    with on():
        x = torch.ones(2, 3, device=NAME, requires_grad=True)
        y = (x - x.max(1, keepdim=True).values).exp() @ x.t()
        (y * torch.ones_like(y)).sum().backward()
        repr(x.grad.cpu())


def place(x):
    """A fresh stand-in copy of a CPU tensor (what `x.to('npu')` gives inside `on()`)."""
    return StandIn(x.detach().clone())


def to_cpu(x):
    """The values of any tensor, stand-in or not, as a plain CPU tensor (the tensor itself when plain)."""
    return x._elem.detach() if type(x) is StandIn else x


@contextlib.contextmanager
def taken_over():
    """The stand-in's mode lifted off the mode stack for a window in which the mode pushed in its place
    calls `dispatch` itself (the operator recorder): one Python dispatch per operator instead of two.
    Yields whether it was lifted (only when it is the top mode, inside `on()`); put back on exit."""
    stack = _get_current_dispatch_mode_stack()
    if not stack or type(stack[-1]) is not _Mode:
        yield False
        return
    with _pop_mode_temporarily():
        yield True


@contextlib.contextmanager
def on():
    """The stand-in GPU switched on: factories on `npu` make stand-in tensors, and the backward pass runs
    on the calling thread. Enter it below the operator recorder, which must stay on top of the mode stack."""
    _register()
    lift_cpu_only = torch._C._only_lift_cpu_tensors()
    torch._C._set_only_lift_cpu_tensors(True)  # torch.tensor(..., device=d) builds on the CPU, then moves
    threads = torch._C._is_multithreading_enabled()
    torch._C._set_multithreading_enabled(False)  # the backward pass on the calling thread (see _register)
    try:
        with _Mode():
            yield
    finally:
        torch._C._set_multithreading_enabled(threads)
        torch._C._set_only_lift_cpu_tensors(lift_cpu_only)
