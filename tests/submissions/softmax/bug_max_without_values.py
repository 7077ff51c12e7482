"""BUG: takes X.max(dim, keepdim=True) as if it were a tensor, forgetting that with a dim it
returns (values, indices); indexing [1] picks the indices of the maxima instead of their values.

The subtracted "maximum" is an argmax position, so large logits still overflow.
expect: fail numerical stability
"""
import torch


def softmax(X, dim=-1):
    m = X.max(dim, keepdim=True)[1]  # indices, not values
    X_exp = torch.exp(X - m)
    return X_exp / X_exp.sum(dim, keepdim=True)
