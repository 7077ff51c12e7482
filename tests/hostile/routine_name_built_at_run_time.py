"""Attack (code rules off, as when a name is built where no rule can read it, e.g. a forward
reference that typing evaluates): calls torch.nn.init.xavier_uniform_ itself. Its operators are an
honest uniform_, so only the routine's own switch-off in the child can see it.

exercise: xavier_init
expect: fail forbidden routine
policy: refused
"""
import torch

_init = getattr(torch.nn.init, "xavier_" + "uniform_")


def xavier_uniform_(tensor, gain=1.0):
    out = _init(tensor, gain=gain)
    print("BREACH: the library's xavier_uniform_ ran")
    return out
