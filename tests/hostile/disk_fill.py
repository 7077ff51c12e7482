"""Attack: stays under the file size limit but writes many files (up to 192 x 1 MiB) into its
scratch space, which is RAM (tmpfs) under namespaces and the machine's /tmp disk under the
process fallback; it reports the total and answers correctly. The scratch space of one
submission should be bounded (the hostile suite asks for at most 64 MiB).

expect: contained
policy: refused
probe: scratch_total
xfail: process-as-user, portable: without root the fallback cannot mount a capped tmpfs for the scratch area, and nothing else bounds the total size of a submission's files on the machine's /tmp (as root it can, and does); the portable level mounts nothing at all
"""
import torch

total = 0
block = b"\1" * ((1 << 20) - 4096)
for i in range(192):
    try:
        with open(f"fill{i}.bin", "wb", buffering=0) as f:
            total += f.write(block)
    except OSError:
        break
print(f"TOTAL {total}", flush=True)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
