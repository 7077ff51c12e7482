"""Plain-data wire format between the grader and the sandboxed child: JSON plus raw tensor bytes.

Never pickle. A message is `MAGIC | u32 header length | JSON header | blobs`; a tensor is a JSON
object naming its dtype, shape and device and a slice of the blob area. Decoding builds fresh,
plain `torch.Tensor` objects from bytes, so nothing the child sends can run code in the parent.
This file is also copied into the sandbox, so it imports only the standard library and torch.
"""

from __future__ import annotations

import json
import struct

import torch

MAGIC = b"D2LW1"
_DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
    "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool, "complex64": torch.complex64,
    "complex128": torch.complex128,
}
_NAMES = {v: k for k, v in _DTYPES.items()}


class WireError(ValueError):
    """The bytes are not a well-formed message (or exceed the caller's limits)."""


def dtype_name(dtype: torch.dtype) -> str:
    return _NAMES.get(dtype, str(dtype).replace("torch.", ""))


def encode(obj) -> bytes:
    """Encode None, bool, int, float, str, list, tuple, str-keyed dict, tensors and SentTensors (a CPU
    tensor's values sent as on the device it names: the stand-in GPU's tensors leave the child so)."""
    blobs: list[bytes] = []
    offset = [0]

    def walk(x):
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, int):
            return x
        if isinstance(x, float):
            if x != x or x in (float("inf"), float("-inf")):
                return {"__float__": repr(x)}
            return x
        if isinstance(x, (torch.Tensor, SentTensor)):  # a SentTensor: values that were on x.device
            t = x.detach() if isinstance(x, torch.Tensor) else x.tensor.detach()
            head = {"__tensor__": True, "dtype": dtype_name(t.dtype), "shape": list(t.shape),
                    "device": str(t.device if isinstance(x, torch.Tensor) else x.device)}
            if t.device.type != "meta":
                t = t.to("cpu").contiguous()
                if t.dtype == torch.bfloat16:
                    t = t.view(torch.int16)
                data = t.numpy().tobytes() if t.numel() else b""
                head["offset"], head["nbytes"] = offset[0], len(data)
                blobs.append(data)
                offset[0] += len(data)
            return head
        if isinstance(x, tuple):
            return {"__tuple__": [walk(v) for v in x]}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, dict):
            return {"__dict__": [[str(k), walk(v)] for k, v in x.items()]}
        raise TypeError(f"cannot send a {type(x).__name__} over the wire")

    header = json.dumps(walk(obj), separators=(",", ":")).encode()
    return MAGIC + struct.pack(">I", len(header)) + header + b"".join(blobs)


#: Bounds on what a message may hold before json.loads builds it (a real result header is tens of KiB
#: with a few thousand nodes): larger ones are refused at once, in bounded time and memory.
MAX_HEADER = 4 << 20
MAX_NODES = 1 << 18
MAX_DIM = (1 << 31) - 1
_MAX_DIGITS = 40
_DEVICE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_:")


def _bounded_int(text: str) -> int:
    if len(text) > _MAX_DIGITS:
        raise WireError("an integer with too many digits")
    return int(text)


def decode(data: bytes, *, max_elements: int = 1 << 26, max_depth: int = 64):
    """Decode a message into plain Python values and fresh CPU tensors (meta stays meta).

    Any bytes give a value or a WireError, never another exception: the child writing them is
    untrusted. The header's size and node count are checked before it is parsed."""
    if not isinstance(data, (bytes, bytearray)) or not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise WireError("not a d2lcoach message")
    (hlen,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if start + hlen > len(data):
        raise WireError("truncated header")
    if hlen > MAX_HEADER:
        raise WireError(f"header of {hlen} bytes (at most {MAX_HEADER})")
    head = bytes(data[start:start + hlen])
    if head.count(b"[") + head.count(b"{") + head.count(b",") > MAX_NODES:
        raise WireError(f"header with more than {MAX_NODES} values")
    try:
        tree = json.loads(head.decode(), parse_int=_bounded_int)
    except WireError:
        raise
    except (ValueError, RecursionError, MemoryError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        raise WireError(f"bad header: {str(exc)[:100]}") from None
    blob = memoryview(data)[start + hlen:]
    budget = [max_elements]

    def walk(x, depth):
        if depth > max_depth:
            raise WireError("message nested too deeply")
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        if isinstance(x, list):
            return [walk(v, depth + 1) for v in x]
        if not isinstance(x, dict):
            raise WireError("unexpected value in message")
        if "__tuple__" in x:
            if len(x) != 1 or not isinstance(x["__tuple__"], list):
                raise WireError("bad tuple")
            return tuple(walk(v, depth + 1) for v in x["__tuple__"])
        if "__dict__" in x:
            items = x["__dict__"]
            if len(x) != 1 or not isinstance(items, list) or not all(
                    isinstance(i, list) and len(i) == 2 and isinstance(i[0], str) for i in items):
                raise WireError("bad mapping")
            return {k: walk(v, depth + 1) for k, v in items}
        if "__float__" in x:
            if len(x) != 1 or x["__float__"] not in ("nan", "inf", "-inf"):
                raise WireError("bad float")
            return float(x["__float__"])
        if x.get("__tensor__") is True:
            return _tensor(x)
        raise WireError("unexpected object in message")

    def _tensor(h):
        dtype = _DTYPES.get(h.get("dtype")) if isinstance(h.get("dtype"), str) else None
        shape = h.get("shape")
        if dtype is None or not isinstance(shape, list) or len(shape) > 32 or not all(
                type(s) is int and 0 <= s <= MAX_DIM for s in shape):
            raise WireError("bad tensor header")
        numel = 1
        for s in shape:
            numel *= s
        span = 1
        for s in shape:
            span *= max(s, 1)
        if span > 1 << 62:
            raise WireError("bad tensor header")
        budget[0] -= numel
        if budget[0] < 0:
            raise WireError("message holds more tensor elements than allowed")
        device = h.get("device", "cpu")
        if not isinstance(device, str) or not 0 < len(device) <= 16 or not set(device) <= _DEVICE_CHARS:
            raise WireError("bad tensor device")
        try:
            return SentTensor(_values(h, dtype, shape, numel, device), device)
        except (RuntimeError, ValueError, TypeError, OverflowError, MemoryError) as exc:
            raise WireError(f"bad tensor: {str(exc)[:100]}") from None

    def _values(h, dtype, shape, numel, device):
        if device == "meta":
            return torch.empty(shape, dtype=dtype, device="meta")
        off, nbytes = h.get("offset"), h.get("nbytes")
        itemsize = torch.empty((), dtype=dtype).element_size()
        if (type(off) is not int or type(nbytes) is not int or off < 0
                or nbytes != numel * itemsize or off + nbytes > len(blob)):
            raise WireError("tensor bytes out of range")
        raw = bytearray(blob[off:off + nbytes])
        storage_dtype = torch.int16 if dtype == torch.bfloat16 else dtype
        t = (torch.frombuffer(raw, dtype=storage_dtype) if numel else
             torch.empty(0, dtype=storage_dtype)).reshape(shape)
        return t.view(torch.bfloat16) if dtype == torch.bfloat16 else t

    return walk(tree, 0)


class SentTensor:
    """A tensor as the child reported it: its values (on CPU or meta) and the device it was on."""

    __slots__ = ("tensor", "device")

    def __init__(self, tensor: torch.Tensor, device: str):
        self.tensor = tensor
        self.device = device

    def __repr__(self) -> str:
        return f"SentTensor({tuple(self.tensor.shape)}, {self.tensor.dtype}, device={self.device!r})"


def strip(obj):
    """Replace every SentTensor in a decoded tree by its tensor (for inputs sent parent -> child)."""
    if isinstance(obj, SentTensor):
        return obj.tensor
    if isinstance(obj, tuple):
        return tuple(strip(v) for v in obj)
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items()}
    return obj


def frame(payload: bytes) -> bytes:
    return struct.pack(">Q", len(payload)) + payload
