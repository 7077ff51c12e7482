"""Exercise matrix_factorization (D2L 21.3, 21.5): the MF model with biases, the BPR and hinge ranking losses."""

import torch
from torch import nn


class MF(nn.Module):
    """Matrix factorization with user and item biases.

    D2L 21.3, Matrix Factorization:
    https://d2l.ai/chapter_recommender-systems/mf.html

    What to implement
        __init__(num_factors, num_users, num_items): four nn.Embedding layers, with the book's names:
            self.P (num_users, num_factors), self.Q (num_items, num_factors),
            self.user_bias (num_users, 1), self.item_bias (num_items, 1).
        forward(user_id, item_id): user_id and item_id are int64 (B,); return the predicted ratings
            R_hat[b] = P[u_b] . Q[i_b] + user_bias[u_b] + item_bias[i_b], shape (B,), flattened as the
            book does (outputs.flatten()), also when B == 1.

    Conventions
        - The book's chapter 21 is MXNet code: nn.Embedding(input_dim=..., output_dim=...) is
          nn.Embedding(num_embeddings, embedding_dim) here; np.squeeze(b_u) is b_u.squeeze(1).
        - Gradients reach all four embeddings (rows used several times in a batch accumulate).

    Forbidden
        F.margin_ranking_loss, F.soft_margin_loss and their nn classes (they compute these losses).
    """

    def __init__(self, num_factors: int, num_users: int, num_items: int):
        super().__init__()
        raise NotImplementedError("MF: fill in this function (__init__ and forward)")

    def forward(self, user_id: torch.Tensor, item_id: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("MF.forward: fill in this function")


class BPRLoss(nn.Module):
    """Bayesian personalized ranking loss, BPRLoss()(positive, negative) -> 0-d tensor.

    D2L 21.5, Personalized Ranking for Recommender Systems:
    https://d2l.ai/chapter_recommender-systems/ranking.html

    What to implement
        -sum over the pairs of log(sigmoid(positive - negative)): a sum, not a mean.

    Conventions
        - positive and negative are scores of the same shape ((B,) or (B, 1)); the result is a 0-d
          tensor. (The book's MXNet code keeps a length-1 axis, keepdims=True: not here.)
        - Stable for any score difference: with positive - negative = -1000, log(sigmoid(.)) is
          log(0) = -inf; use torch.nn.functional.logsigmoid (or softplus).
        - Gradients reach positive and negative.

    Forbidden
        F.margin_ranking_loss, F.soft_margin_loss and their nn classes (they compute these losses).
    """

    def forward(self, positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("BPRLoss.forward: fill in this function")


class HingeLossbRec(nn.Module):
    """The hinge loss for ranking, HingeLossbRec()(positive, negative, margin=1) -> 0-d tensor.

    D2L 21.5, Personalized Ranking for Recommender Systems:
    https://d2l.ai/chapter_recommender-systems/ranking.html

    What to implement (D2L 21.5)
        sum over the pairs of max(margin - (positive - negative), 0), with the book's default margin=1.

    Conventions
        - As BPRLoss: inputs of one shape, a 0-d sum, gradients to positive and negative.

    Forbidden
        F.margin_ranking_loss, F.soft_margin_loss and their nn classes (they compute these losses).
    """

    def forward(self, positive: torch.Tensor, negative: torch.Tensor, margin: float = 1) -> torch.Tensor:
        raise NotImplementedError("HingeLossbRec.forward: fill in this function")
