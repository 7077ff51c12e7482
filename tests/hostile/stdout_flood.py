"""Attack: writes 256 MB to stdout while loading, then answers correctly. The grader must cut
what it keeps and stay within bounded memory.

expect: contained
policy: refused
probe: output
"""
import torch

os = torch.os
chunk = b"x" * (1 << 20)
for _ in range(256):
    os.write(1, chunk)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
