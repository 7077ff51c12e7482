"""Attack: sends back a 64 MB tensor from the first call (the hostile suite accepts 8 MiB of
result), hoping to exhaust the grader's memory; the other calls answer correctly.

expect: error more data
"""
import torch

calls = 0


def softmax(X, dim=-1):
    global calls
    calls += 1
    if calls == 1:
        return torch.zeros(16 * 1024 * 1024, dtype=X.dtype, device=X.device)
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
