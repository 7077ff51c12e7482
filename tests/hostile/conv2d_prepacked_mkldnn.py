"""Attack (uncovered name, conv2d): a convolution through oneDNN's prepacked-context operators
(mkldnn_prepacked::conv2d_prepack / conv2d_run), a namespace the old aten:: patterns never saw.
float32 only, so float64 cases fall back to a wrong answer.

exercise: conv2d
expect: fail forbidden routine
policy: refused
"""
import torch

_ns = getattr(torch.ops, "mkldnn_" + "prepacked")


def _pair(v):
    return [v, v] if isinstance(v, int) else list(v)


def conv2d(X, weight, bias=None, stride=1, padding=0):
    if X.dtype != torch.float32 or X.device.type != "cpu":
        return torch.zeros(1)
    context = _ns.conv2d_prepack(weight, bias, _pair(stride), _pair(padding), [1, 1], 1, list(X.shape), "none")
    out = _ns.conv2d_run(X.contiguous(), context)
    print("BREACH: the prepacked oneDNN convolution ran")
    return out
