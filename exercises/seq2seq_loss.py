"""Exercise seq2seq_loss (D2L 10.7): the sequence mask and the masked softmax cross-entropy loss."""

import torch


def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value=0) -> torch.Tensor:
    """Return X with every entry past each sequence's valid length replaced by value.

    D2L 10.7 (9.7 in the Chinese second edition), sequence-to-sequence learning, the loss:
    https://d2l.ai/chapter_recurrent-modern/seq2seq.html

    What to implement
        X (batch, num_steps, ...) and valid_len (batch,) of integers: every X[i, j, ...] with
        j >= valid_len[i] becomes value; the rest is X's. valid_len[i] may be 0 or num_steps.
        Example: sequence_mask(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]))
        is tensor([[1, 0, 0], [4, 5, 0]]).

    Conventions (where this course differs from the book's code)
        - The book writes into X (X[~mask] = value) and returns it. Here X must not change:
          return a new tensor (clone first, or torch.where, or masked_fill).
        - Trailing dimensions are masked whole: with X (2, 3, 4) a masked step j of row i sets
          all four X[i, j, :] to value.
        - Gradients flow to X through the entries that are kept.

    Forbidden: nothing; torch's cross-entropy is the earlier chapter's routine (the book subclasses
    nn.CrossEntropyLoss), and no torch routine masks padded steps.
    """
    raise NotImplementedError("sequence_mask: fill in this function")


def masked_softmax_ce_loss(pred: torch.Tensor, label: torch.Tensor, valid_len: torch.Tensor) -> torch.Tensor:
    """Return the book's masked softmax cross-entropy loss, one value per sequence.

    D2L 10.7, the loss function: https://d2l.ai/chapter_recurrent-modern/seq2seq.html

    What to implement (the book's MaskedSoftmaxCELoss, as a function)
        pred (batch, num_steps, vocab_size) logits; label (batch, num_steps) token indices;
        valid_len (batch,).
        weights = sequence_mask(torch.ones_like(label), valid_len)
        the cross-entropy of each step (softmax over the vocabulary), (batch, num_steps),
        times weights, then .mean(dim=1): a (batch,) result.

    Conventions
        - The mean is over all num_steps, padded steps included (they weigh 0), exactly as the
          book computes it: not a division by the valid length.
        - The book prints masked_softmax_ce_loss(torch.ones(3, 4, 10),
          torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0]))
          = tensor([2.3026, 1.1513, 0.0000]).
        - nn.CrossEntropyLoss wants the classes in dimension 1: pred.permute(0, 2, 1), with
          reduction='none'. Torch's cross-entropy is allowed; the masking is the exercise.
        - Gradients must flow to pred.

    Forbidden: nothing; torch's cross-entropy is the earlier chapter's routine (the book subclasses
    nn.CrossEntropyLoss), and no torch routine masks padded steps.
    """
    raise NotImplementedError("masked_softmax_ce_loss: fill in this function")
