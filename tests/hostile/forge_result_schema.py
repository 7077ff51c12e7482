"""Attack: skips the harness and writes its own, well-formed message straight into the result
pipe (the one open descriptor besides 0-2), whose fields have the wrong types, then exits 0.
The grader must treat it as a malformed result, not crash.

expect: error
policy: refused
"""
import torch

sys = torch.sys
os = torch.os
json = sys.modules["json"]
struct = sys.modules["struct"]

header = json.dumps({"__dict__": [["load_error", "boom"], ["missing", 7], ["runs", "xyz"]]}).encode()
message = b"D2LW1" + struct.pack(">I", len(header)) + header
pipes = [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2]
for fd in pipes:
    try:
        os.write(fd, struct.pack(">Q", len(message)) + message)
    except OSError:
        pass
os._exit(0)


def softmax(X, dim=-1):
    return X
