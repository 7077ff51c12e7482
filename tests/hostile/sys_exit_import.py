"""Attack: sys.exit(0) while loading, hoping a clean exit status reads as success.

expect: error exit
policy: refused
"""
import torch

torch.sys.exit(0)


def softmax(X, dim=-1):
    return X
