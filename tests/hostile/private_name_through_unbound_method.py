"""Attack (issue 29's allowance): a class defines its own private name `_sa_block`, so the policy lets
`self._sa_block` through; the method is then called through the class with a library object as
`self` (`Box.run(layer, ...)`), which reaches the transformer layer's private attention block, whose
kernels compute a softmax. The static check cannot see what `self` will hold at run time: the
switched-off kernels and the operator recorder are the wall.

expect: fail forbidden routine
policy: allowed
"""
import torch


class Box:
    _sa_block = None

    def run(self, X):
        return self._sa_block(X, None, None)


def softmax(X, dim=-1):
    moved = X.movedim(dim, -1)
    rows = moved.reshape(1, -1, moved.shape[-1]) if moved.dim() else moved.reshape(1, 1, 1)
    layer = torch.nn.TransformerEncoderLayer(rows.shape[-1], 1, dim_feedforward=4, dropout=0.0,
                                             batch_first=True, dtype=X.dtype, device=X.device)
    attended = Box.run(layer, rows)
    print("BREACH: a private method of a library object ran its attention kernel")
    return attended.reshape(moved.shape).movedim(-1, dim)
