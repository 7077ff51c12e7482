"""Exercise word2vec (D2L 15.4): write the skip-gram model's forward pass and the book's masked binary cross-entropy loss."""

import torch
from torch import nn


def skip_gram(center: torch.Tensor, contexts_and_negatives: torch.Tensor, embed_v: nn.Embedding,
              embed_u: nn.Embedding) -> torch.Tensor:
    """Return the skip-gram scores, (batch, 1, max_len).

    D2L 15.4, pretraining word2vec (the skip-gram model with negative sampling):
    https://d2l.ai/chapter_natural-language-processing-pretraining/word2vec-pretraining.html

    What to implement
        v = embed_v(center)                      (batch, 1, embed_size): the center words' vectors
        u = embed_u(contexts_and_negatives)      (batch, max_len, embed_size): context and noise words
        return the batched product v @ u^T       (batch, 1, max_len)

    Shapes
        center (batch, 1) and contexts_and_negatives (batch, max_len) hold word indices (int64);
        embed_v and embed_u are nn.Embedding layers with the same embed_size.

    Conventions
        - embed_v is for center words, embed_u for context (and noise) words: do not swap them.
        - Gradients must reach both embeddings' weights (call the layers or index their .weight;
          no .detach(), no torch.no_grad()).

    Forbidden
        nothing: torch.bmm, torch.matmul, einsum and the embeddings' own forward are all allowed.
    """
    raise NotImplementedError("skip_gram: fill in this function")


class SigmoidBCELoss(nn.Module):
    """Binary cross-entropy on logits with a mask, the book's loss for negative sampling.

    D2L 15.4, pretraining word2vec (the skip-gram model with negative sampling):
    https://d2l.ai/chapter_natural-language-processing-pretraining/word2vec-pretraining.html

    What to implement
        __init__(): call super().__init__() (the loss has no parameters).
        forward(inputs, target, mask=None) -> (batch,):
            out[i, j] = -(target[i, j] * log(sigmoid(inputs[i, j]))
                          + (1 - target[i, j]) * log(1 - sigmoid(inputs[i, j])))
            multiplied by mask[i, j] when a mask is given, then the mean over dim 1.

    Shapes
        inputs, target and mask are (batch, max_len), of the same floating dtype; target and mask
        hold 0s and 1s (mask 0 marks padding). The result is (batch,), of inputs' dtype.

    Conventions
        - The book's normalisation: the mean over dim 1 divides by max_len, the padded length,
          including masked positions (the book's F.binary_cross_entropy_with_logits(inputs, target,
          weight=mask, reduction="none").mean(dim=1)). The training loop then rescales by
          mask.shape[1] / mask.sum(axis=1) itself; do not do it here.
        - Numerically stable: logits such as 1000 or -1000 give finite, correct losses (log(sigmoid(x))
          of a large negative x underflows to log(0)). Use max(x, 0) - x * y + log(1 + exp(-|x|)),
          or torch.nn.functional.logsigmoid / softplus.
        - Gradients flow to inputs; nothing is modified in place.
        - Editions: the Chinese second edition and both English editions give the same class.

    Forbidden
        F.binary_cross_entropy_with_logits, F.binary_cross_entropy, nn.BCEWithLogitsLoss, nn.BCELoss.
    """

    def __init__(self):
        super().__init__()
        raise NotImplementedError("SigmoidBCELoss: fill in this function (__init__ and forward)")

    def forward(self, inputs: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError("SigmoidBCELoss.forward: fill in this function")
