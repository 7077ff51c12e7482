"""Attack: looks for a classmate's request among the live objects of its own process: every
object the garbage collector tracks, the loaded modules' globals, and the harness's state, for a
string or bytes holding another submission. Prints what it finds and answers wrongly.

before: classmate
expect: fail values
"""
import torch

sys = torch.sys
gc = sys.modules["gc"]
needles = (b"d2l" + b"classmate-", b"d2l" + b"printed-")


time = sys.modules["time"]
stop = time.monotonic() + 2.0
for obj in gc.get_objects() + [vars(m) for m in list(sys.modules.values()) if m is not None]:
    if time.monotonic() > stop:
        break
    items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
    for item in list(items)[:1000]:
        if isinstance(item, str):
            item = item.encode("utf-8", "replace")
        if not isinstance(item, (bytes, bytearray)):
            continue
        for needle in needles:
            at = item.find(needle)
            if at >= 0 and item[at + len(needle):at + len(needle) + 16].isalnum():
                print("BREACH: a classmate's text in a live object:", item[at:at + 40], flush=True)


def softmax(X, dim=-1):
    return X.flip(dim)
