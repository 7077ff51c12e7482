"""Exercise factorization_machine (D2L 21.9): the factorization machine's score, its pairwise term in O(kn)."""

import torch


def fm(X: torch.Tensor, w0: torch.Tensor, w: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    """Return the factorization machine's score of each row of X, shape (B,).

    D2L 21.9, Factorization Machines:
    https://d2l.ai/chapter_recommender-systems/fm.html

    What to implement
        score(x) = w0 + sum_i w[i] x[i] + sum over pairs i < j of <V[i], V[j]> x[i] x[j],
        with the pairwise term computed in O(kn), as the book does:
            0.5 * sum over factors f of ((sum_i V[i, f] x[i])**2 - sum_i V[i, f]**2 * x[i]**2)

    Shapes
        X (B, n) features (one-hot, multi-hot or real-valued); w0 shape () the global bias;
        w (n,) linear weights; V (n, k) one factor vector per feature. Result (B,): the score
        before any sigmoid.

    Conventions
        - Each pair of distinct features counts once; a feature never interacts with itself.
        - x[i] squared in the second sum: for 0/1 features x**2 == x, for real values it is not.
        - Rows are independent; keep the inputs' dtype and device; gradients reach every input;
          do not modify the inputs.
        - The book's chapter 21 is MXNet code returning (B, 1): return (B,) here.

    Forbidden
        nothing: torch has no factorization machine (nn.Embedding and einsum are allowed).
    """
    raise NotImplementedError("fm: fill in this function")
