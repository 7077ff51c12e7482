"""Not an attack: an honest submission graded at the same time as _kill_other_submission.py, in a
second sandbox. It names itself with the victim marker, waits three seconds, then answers.

expect: pass
"""
import torch

torch.ctypes.CDLL(None).prctl(15, b"__VICTIM__", 0, 0, 0)  # PR_SET_NAME
torch.sys.modules["select"].select([], [], [], 3.0)


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
