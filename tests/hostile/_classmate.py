"""Not an attack: an honest classmate graded just before a memory-scanning attack in the same
sandbox. Its source holds a secret token, and it prints another one; neither may ever reach the
attacker.

expect: pass
"""
import torch

SECRET = "d2lclassmate-__CLASSMATE__-end"


def softmax(X, dim=-1):
    print("d2lprinted-__CLASSMATE__-end", flush=True)
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
