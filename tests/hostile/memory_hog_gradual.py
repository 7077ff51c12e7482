"""Attack: keeps touching 128 MB blocks until refused, then answers correctly while holding them.

The memory limit must stop it well before the machine's memory runs out; it may then pass.
expect: contained
probe: memory
"""
import torch

held = []
try:
    for _ in range(160):  # 20 GB if nothing stops it
        held.append(torch.ones(32 * 1024 * 1024, dtype=torch.float32))  # 128 MiB, touched
except (MemoryError, RuntimeError):
    pass
print(f"HELD_MIB {len(held) * 128}", flush=True)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
