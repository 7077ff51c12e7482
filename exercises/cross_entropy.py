"""Exercise cross_entropy (D2L 4.4): write the cross-entropy loss and the accuracy count of softmax regression."""

import torch


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return -log(probability of the true class), one value per example.

    D2L 4.4, softmax regression from scratch:
    https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html

    What to implement
        y_hat is (n, q): row i holds the predicted probabilities of the q classes (already a
        softmax's output, not logits). y is (n,) int64: the true class of each example.
        Return a tensor of shape (n,) whose i-th value is -log(y_hat[i, y[i]]).

    Conventions
        - One value per example, NOT the mean. This follows the Chinese second edition (3.6)
          and the classic English edition; the English 1.0 edition (4.4) averages with
          reduce_mean, which this course does not.
        - Pick the true class's probability by indexing, as the book does:
          y_hat[range(len(y_hat)), y] (gather or take_along_dim work too). Do not multiply a
          one-hot matrix by log(y_hat): a zero probability in another class makes 0 * log(0)
          = nan, and q may be in the tens of thousands.
        - Keep y_hat's dtype and device; gradients must flow back to y_hat.
        - Do not modify y_hat or y.

    Forbidden
        F.cross_entropy, F.nll_loss, nn.CrossEntropyLoss, nn.NLLLoss and every log_softmax.
    """
    raise NotImplementedError("cross_entropy: fill in this function")


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Return the NUMBER of correct predictions, as a Python float.

    D2L 4.4, softmax regression from scratch:
    https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html

    What to implement
        If y_hat is 2-D with more than one column, each row holds scores per class and the
        prediction is the index of the row's largest entry (argmax over dim 1). Otherwise
        y_hat already holds predicted labels. Compare the predictions with y (cast them to
        y's dtype first, as the book does) and count the matches.

    Conventions
        - A count, not a fraction: 3 correct out of 4 is 3.0, not 0.75 (the book divides by
          the number of examples later, in its Accumulator).
        - A Python float (float(...)), not a tensor and not an int.
        - Do not modify y_hat or y.

    Forbidden
        nothing beyond cross_entropy's list.
    """
    raise NotImplementedError("accuracy: fill in this function")
