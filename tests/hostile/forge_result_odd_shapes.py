"""Attack: sends a result whose output is a tensor of shape [0, 2**70] (no elements, so no bytes,
but a shape no tensor can have), next to a tuple marker holding a number instead of a list and a
mapping marker of three-item pairs, then exits. The parent must refuse it, not crash.

expect: error malformed result
"""
import torch

sys = torch.sys
os = torch.os
json = sys.modules["json"]
struct = sys.modules["struct"]

odd = {"__tensor__": True, "dtype": "float32", "shape": [0, 2 ** 70], "device": "cpu", "offset": 0, "nbytes": 0}
run = {"__dict__": [["case", 0], ["device", "cpu"], ["output", odd], ["grads", {"__tuple__": 17}],
                    ["mutated", {"__dict__": [["a", "b", "c"]]}]]}
header = json.dumps({"__dict__": [["load_error", None], ["missing", []], ["runs", [run]]]}).encode()
message = b"D2LW1" + struct.pack(">I", len(header)) + header
for fd in [int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2]:
    try:
        os.write(fd, struct.pack(">Q", len(message)) + message)
    except OSError:
        pass
os._exit(0)


def softmax(X, dim=-1):
    return X
