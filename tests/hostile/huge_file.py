"""Attack: writes a 64 MB file into its scratch folder (the file size limit is 1 MiB in the hostile
suite), reports how far it got, and answers correctly.

expect: contained
policy: refused
probe: file_size
"""
import torch

os = torch.os
written = 0
try:
    with open("big.bin", "wb", buffering=0) as f:
        block = b"\0" * (1 << 20)
        for _ in range(64):
            written += f.write(block)
except OSError:
    pass
try:
    written = max(written, os.path.getsize("big.bin"))
except OSError:
    pass
print(f"WROTE {written}", flush=True)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
