"""Exercise gp_posterior (D2L 18.2, 18.3): the RBF kernel, the GP regression posterior, the log marginal likelihood."""

import torch


def rbfkernel(x1: torch.Tensor, x2: torch.Tensor, ls: float = 4.0, a: float = 1.0) -> torch.Tensor:
    """Return the RBF kernel matrix K[i, j] = a**2 * exp(-||x1[i] - x2[j]||**2 / (2 * ls**2)), shape (n, m).

    D2L 18.2, Gaussian Process Priors:
    https://d2l.ai/chapter_gaussian-processes/gp-priors.html

    Shapes
        x1 (n,) and x2 (m,): points on a line, as in the book; or x1 (n, d) and x2 (m, d): one point of
        d features per row. ls (length scale) and a (amplitude) are Python floats.

    Conventions
        - The book's formula: the amplitude squared, the length scale squared. (The book's code
          `rbfkernel` has no amplitude and divides by 2 * ls: follow the formula.)
        - Defaults as the book's code: ls=4.0; a=1.0.
        - Keep the inputs' dtype and device; gradients reach x1 and x2.

    Forbidden
        torch.distributions (MultivariateNormal(...).log_prob is the log marginal likelihood).
    """
    raise NotImplementedError("rbfkernel: fill in this function")


def gp_posterior(train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, ls: float, sigma: float,
                 a: float = 1.0):
    """Return (post_mean, post_cov): the posterior of the noise-free f at test_x, zero prior mean.

    D2L 18.3, Gaussian Process Inference:
    https://d2l.ai/chapter_gaussian-processes/gp-inference.html

    What to implement
        With K = rbfkernel(train_x, train_x, ls, a) + sigma**2 * I (sigma the noise standard deviation),
            post_mean = K(X*, X) K^-1 y                                   shape (m,)
            post_cov  = K(X*, X*) - K(X*, X) K^-1 K(X, X*)                shape (m, m)
        Solve with the Cholesky factor L = torch.linalg.cholesky(K) (torch.cholesky_solve,
        torch.linalg.solve_triangular); torch.linalg.solve or an explicit inverse are accepted while
        they stay accurate, including on a nearly singular K (tiny sigma, close points).

    Conventions
        - train_x (n,) or (n, d), train_y (n,), test_x (m,) or (m, d), as rbfkernel's points.
        - post_cov is the covariance of f, without the observation noise (the book's post_cov).
        - Keep the inputs' dtype and device; gradients reach train_x, train_y and test_x.

    Forbidden
        torch.distributions (MultivariateNormal(...).log_prob is the log marginal likelihood).
    """
    raise NotImplementedError("gp_posterior: fill in this function")


def log_marginal_likelihood(train_x: torch.Tensor, train_y: torch.Tensor, ls: float, sigma: float,
                            a: float = 1.0) -> torch.Tensor:
    """Return log p(y | X), a 0-d tensor.

    D2L 18.3, Gaussian Process Inference:
    https://d2l.ai/chapter_gaussian-processes/gp-inference.html

    What to implement (D2L 18.3, the second formula, which the book's neg_MLL computes)
        -1/2 y^T K^-1 y - 1/2 log|K| - n/2 log(2 pi),  with K = rbfkernel(X, X, ls, a) + sigma**2 * I.
        With L = torch.linalg.cholesky(K): log|K| = 2 * sum(log(diag(L))).

    Conventions
        - The noise is inside the log determinant too, and the constant -n/2 log(2 pi) is included.
        - Keep the inputs' dtype and device; gradients reach train_x and train_y.

    Forbidden
        torch.distributions (MultivariateNormal(...).log_prob is the log marginal likelihood).
    """
    raise NotImplementedError("log_marginal_likelihood: fill in this function")
