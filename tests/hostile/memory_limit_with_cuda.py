"""Attack: with the limits a CUDA grading run uses, reserve 4 GiB of host memory (far over the limit).

The process limit of host memory must hold on CUDA runs too; the block is reserved but never
touched here, so the machine is not harmed if the limit is missing.
limits: cuda
expect: contained
"""
import torch

try:
    hog = torch.empty(4 * 1024 ** 3, dtype=torch.uint8)
    print(f"BREACH: reserved {hog.numel() >> 20} MiB of host memory with a 1 GiB limit", flush=True)
    del hog
except (MemoryError, RuntimeError):
    pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
