"""Reference solution for matrix_factorization (D2L 21.3, 21.5): MF with biases, the BPR and hinge losses."""

import torch
from torch import nn
from torch.nn import functional as F


class MF(nn.Module):
    """Predicted rating p_u . q_i + b_u + b_i for each (user, item) pair of a batch."""

    def __init__(self, num_factors: int, num_users: int, num_items: int):
        super().__init__()
        self.P = nn.Embedding(num_users, num_factors)
        self.Q = nn.Embedding(num_items, num_factors)
        self.user_bias = nn.Embedding(num_users, 1)
        self.item_bias = nn.Embedding(num_items, 1)

    def forward(self, user_id: torch.Tensor, item_id: torch.Tensor) -> torch.Tensor:
        P_u = self.P(user_id)
        Q_i = self.Q(item_id)
        b_u = self.user_bias(user_id)
        b_i = self.item_bias(item_id)
        outputs = (P_u * Q_i).sum(dim=1) + b_u.squeeze(1) + b_i.squeeze(1)
        return outputs.flatten()


class BPRLoss(nn.Module):
    """-sum log sigmoid(positive - negative), by logsigmoid: finite for any score difference."""

    def forward(self, positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
        return -F.logsigmoid(positive - negative).sum()


class HingeLossbRec(nn.Module):
    """sum max(margin - (positive - negative), 0)."""

    def forward(self, positive: torch.Tensor, negative: torch.Tensor, margin: float = 1) -> torch.Tensor:
        return torch.clamp(margin - (positive - negative), min=0).sum()
