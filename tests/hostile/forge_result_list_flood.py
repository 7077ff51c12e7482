"""Attack: sends a result of about 7 MiB made of millions of tiny JSON lists, just under the
sandbox's result limit, hoping the parent builds them all (gigabytes and seconds in Python
objects). The parent must refuse it from its size alone, in bounded memory.

expect: error malformed result
probe: output
"""
import torch

sys = torch.sys
os = torch.os
struct = sys.modules["struct"]

flood = b"[" + b",".join([b"[[]]"] * 1_400_000) + b"]"
header = b'{"__dict__": [["load_error", null], ["missing", []], ["runs", ' + flood + b"]]}"
message = b"D2LW1" + struct.pack(">I", len(header)) + header
frame = struct.pack(">Q", len(message)) + message
for fd in [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2]:
    view = memoryview(frame)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        pass
os._exit(0)


def softmax(X, dim=-1):
    return X
