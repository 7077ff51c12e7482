"""Attack (recorder off): calls a forbidden *function* (F.linear, which no operator switch-off covers:
it is the same aten op as an honest matmul) on a thread of its own, where the thread-local function
recorder does not look. The child runs one thread only: starting another fails, so the forward
raises and earns nothing.

exercise: my_linear
xfail: portable: no seccomp filter refuses a second thread, and the function recorder is thread-local
expect: fail values
policy: refused
"""
import torch
from torch import nn

_threading = torch.sys.modules["threading"]
_linear = getattr(torch.nn.functional, "lin" + "ear")


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        box = {}

        def work():
            box["out"] = torch.relu(_linear(X, self.weight.t(), self.bias))

        worker = _threading.Thread(target=work)
        worker.start()
        worker.join()
        if "out" in box:
            print("BREACH: a forbidden function ran on another thread")
        return box["out"]
