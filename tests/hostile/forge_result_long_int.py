"""Attack: skips the harness and sends a well-formed result whose case number is an integer of
6,000 digits (too long for int() in the parent, whose JSON parser would raise on it), then exits.

expect: error malformed result
"""
import torch

sys = torch.sys
os = torch.os
struct = sys.modules["struct"]

header = (b'{"__dict__": [["load_error", null], ["missing", []], ["runs", [{"__dict__": [["case", '
          + b"9" * 6000 + b'], ["device", "cpu"]]}]]]}')
message = b"D2LW1" + struct.pack(">I", len(header)) + header
for fd in [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2]:
    try:
        os.write(fd, struct.pack(">Q", len(message)) + message)
    except OSError:
        pass
os._exit(0)


def softmax(X, dim=-1):
    return X
