"""Attack (uncovered name): the fused masked-softmax operator, reached as a raw operator overload
(aten::_masked_softmax) with a mask that masks nothing; its name was on no list.

expect: fail forbidden routine
policy: refused
"""
import torch

_packet = getattr(torch.ops.aten, "_masked_soft" + "max")


def softmax(X, dim=-1):
    d = dim % X.dim() if X.dim() else 0
    keep = torch.zeros(X.shape, dtype=torch.bool, device=X.device)
    out = _packet.default(X, keep, d, None)
    print("BREACH: the masked softmax operator ran")
    return out
