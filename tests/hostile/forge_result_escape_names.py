"""Attack: sends a result with the right types everywhere, but whose names that the grader quotes
(a returned object's type name, a mutated argument's path, a gradient mapping's keys, the tensor's
device) carry terminal escapes and new lines that would forge "PASSED" lines in the report.

expect: error malformed result
"""
import torch

sys = torch.sys
os = torch.os
json = sys.modules["json"]
struct = sys.modules["struct"]

forged = "\x1b[2K\rPASSED softmax 10/10\n"
run = {"__dict__": [["case", 0], ["device", "cpu"], ["output", {"__dict__": [["__object__", forged]]}],
                    ["mutated", [[forged]]], ["ops", []], ["error", None], ["grad_error", None],
                    ["grads", [{"__dict__": [[forged, 1.0]]}]]]}
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
