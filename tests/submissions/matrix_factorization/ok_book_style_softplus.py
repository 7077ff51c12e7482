"""OK: the book's own lines (super(MF, self).__init__(), np.squeeze as squeeze, outputs.flatten()), BPR as
softplus of the negated difference, the hinge with torch.maximum as the book's np.maximum.

expect: pass
"""
import torch
from torch import nn
from torch.nn import functional as F


class MF(nn.Module):
    def __init__(self, num_factors, num_users, num_items, **kwargs):
        super(MF, self).__init__(**kwargs)
        self.P = nn.Embedding(num_embeddings=num_users, embedding_dim=num_factors)
        self.Q = nn.Embedding(num_embeddings=num_items, embedding_dim=num_factors)
        self.user_bias = nn.Embedding(num_users, 1)
        self.item_bias = nn.Embedding(num_items, 1)

    def forward(self, user_id, item_id):
        P_u = self.P(user_id)
        Q_i = self.Q(item_id)
        b_u = self.user_bias(user_id)
        b_i = self.item_bias(item_id)
        outputs = (P_u * Q_i).sum(axis=1) + torch.squeeze(b_u, -1) + torch.squeeze(b_i, -1)
        return outputs.flatten()


class BPRLoss(nn.Module):
    def __init__(self, **kwargs):
        super(BPRLoss, self).__init__(**kwargs)

    def forward(self, positive, negative):
        distances = positive - negative
        return F.softplus(-distances).sum()


class HingeLossbRec(nn.Module):
    def __init__(self, **kwargs):
        super(HingeLossbRec, self).__init__(**kwargs)

    def forward(self, positive, negative, margin=1):
        distances = positive - negative
        return torch.sum(torch.maximum(-distances + margin, torch.zeros_like(distances)))
