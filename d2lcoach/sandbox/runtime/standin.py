"""The stand-in GPU: on a grader without one, tensors that say they are on `cuda:0` and compute on the CPU.

The contract's device property (results live on the inputs' device; nothing hard-codes `cpu`) needs
a second device. PyTorch's `meta` device told a submission what it was (`X.is_meta`), so code built
on a hard-coded `cpu` could special-case it, and it had no values to check. The stand-in instead
looks like a real GPU through the public tensor API and computes real values, so the parent checks
values there too:

- `x.device` is `cuda:0`, `x.is_cuda` is true, `x.is_meta` false, `x.get_device()` 0;
  `torch.cuda.is_available()` is true and `torch.cuda.device_count()` 1 while a stand-in run is on.
- `torch.zeros(..., device=x.device)`, `x.new_zeros`, `*_like`, `x.to('cuda')` and `x.cuda()` make
  stand-in tensors; `x.cpu()` and `x.to('cpu')` give plain CPU tensors with the same values.
- An operator that mixes a stand-in tensor with a CPU tensor of one or more dimensions raises
  "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
  as CUDA does (CPU scalars, copies between the devices and CPU index tensors are allowed, as there).
- `x.numpy()` refuses as on a GPU; `x.data_ptr()` gives the address of the values.

How: `StandIn` is a wrapper subclass (`torch.Tensor._make_wrapper_subclass`, the device-faking
trick of FakeTensor) around a plain CPU tensor; its `__torch_dispatch__` and, for factories that
have no tensor argument, a dispatch mode (`on()`) unwrap, run the operator on the CPU, and wrap
what comes back (in-place results and views keep their aliasing). Autograd runs above it as on any
device. Each operator costs one Python dispatch, as the operator recorder already does.

What it cannot hide, from code that looks at the machinery rather than at tensors:
- `type(x) is torch.Tensor` is false (its `__name__`, `__module__` and `__qualname__` read
  `Tensor`, `torch`, `Tensor`, so printing the type shows `<class 'torch.Tensor'>`);
- the dispatch mode on torch's mode stack, and `torch.cuda` functions other than the ones named above
  (`torch.cuda.get_device_name()` fails: there is no driver);
- a CPU generator passed to a CUDA factory is accepted (a real GPU refuses it), and random numbers
  drawn on the stand-in are the CPU's.
The code policy refuses private names, dunder attributes (`__class__`, `__dict__`) and `torch.utils`
(the mode stack), which leaves `type(x)`; it is left allowed (see d2lcoach/grading/policy.py).
This file is copied into the sandbox: it imports only torch.
"""

from __future__ import annotations

import contextlib

import torch
from torch.utils._python_dispatch import TorchDispatchMode, return_and_correct_aliasing
from torch.utils._pytree import tree_flatten, tree_map

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
    """A tensor on the stand-in GPU: `cuda:0` outside, a plain CPU tensor (`_elem`) inside."""

    @staticmethod
    def __new__(cls, elem: torch.Tensor):
        wrapper = torch.Tensor._make_wrapper_subclass(
            cls, elem.size(), strides=elem.stride(), storage_offset=elem.storage_offset(), dtype=elem.dtype,
            layout=elem.layout, device=_register(), requires_grad=elem.requires_grad)
        wrapper._elem = elem
        return wrapper

    def __init__(self, elem: torch.Tensor):
        super().__init__()


    def __repr__(self, *, tensor_contents=None):
        text = super().__repr__(tensor_contents=tensor_contents)
        return "tensor(" + text.removeprefix("Tensor(")  # what torch prints for its own type

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
        return _dispatch(func, args, kwargs or {})


StandIn.__name__ = StandIn.__qualname__ = "Tensor"
StandIn.__module__ = "torch"


def _rebuild(elem):
    return StandIn(elem)


def _is_ours(device) -> bool:
    return torch.device(device).type == NAME


def _unwrap(x):
    return x._elem if type(x) is StandIn else x


def _wrap(x):
    return StandIn(x) if type(x) is torch.Tensor else x


def _dispatch(func, args, kwargs):
    flat = tree_flatten((args, kwargs))[0]
    ours = [t for t in flat if type(t) is StandIn]
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
    if ours and func not in _MIXING_ALLOWED:
        for t in flat:
            if type(t) is torch.Tensor and t.dim() > 0:
                raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                                   f"devices, npu:0 and cpu! (when checking argument in {func._schema.name})")
    out = func(*tree_map(_unwrap, args), **tree_map(_unwrap, kwargs))
    if not wrap:
        return out
    out = tree_map(_wrap, out)
    if ours and any(r.alias_info is not None for r in func._schema.returns):
        out = return_and_correct_aliasing(func, args, kwargs, out)
    return out


class _Mode(TorchDispatchMode):
    """Catches factories that name the stand-in device and have no tensor argument (`torch.zeros`)."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # no torch.compile here; the default would import torch._dynamo (a second)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return _dispatch(func, args, kwargs or {})


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
def on():
    """The stand-in GPU switched on: factories on `cuda` make stand-in tensors, `torch.cuda` says one GPU
    is there. Enter it below the operator recorder, which must stay on top of the mode stack."""
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
