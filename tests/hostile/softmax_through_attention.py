"""Attack (uncovered name): softmax computed by the attention kernel. With the keys and the values
the identity and a scale of 1, attention(Q=X, K=I, V=I) is softmax(X) row by row, and none of the
old softmax patterns named an attention operator.

expect: fail forbidden routine
policy: refused
"""
import torch

_attend = getattr(torch.nn.functional, "scaled_dot_" + "product_attention")


def softmax(X, dim=-1):
    moved = X.movedim(dim, -1)
    rows = moved.reshape(1, -1, moved.shape[-1]) if moved.dim() else moved.reshape(1, 1, 1)
    eye = torch.eye(rows.shape[-1], dtype=X.dtype, device=X.device)[None]
    out = _attend(rows, eye, eye, scale=1.0)
    print("BREACH: the attention kernel returned a softmax")
    return out.reshape(moved.shape).movedim(-1, dim)
