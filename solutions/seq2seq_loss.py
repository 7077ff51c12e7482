"""Reference solution for the seq2seq_loss exercise (D2L 10.7): the sequence mask and the masked loss."""

import torch
import torch.nn.functional as F


def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value=0) -> torch.Tensor:
    """X (batch, num_steps, ...) with the entries past each row's valid length set to value, as a new tensor."""
    maxlen = X.size(1)
    mask = torch.arange(maxlen, dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X = X.clone()  # the book writes into the caller's X; the contract returns a new tensor
    X[~mask] = value
    return X


def masked_softmax_ce_loss(pred: torch.Tensor, label: torch.Tensor, valid_len: torch.Tensor) -> torch.Tensor:
    """The book's MaskedSoftmaxCELoss: per-step cross-entropy, padded steps weighted 0, mean over the steps."""
    weights = sequence_mask(torch.ones_like(label), valid_len)
    unweighted_loss = F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
    return (unweighted_loss * weights).mean(dim=1)
