"""Grader for gp_posterior (D2L 18.2, 18.3): the RBF kernel with the formula's a**2 and ls**2 (the book's
code divides by 2 * ls: diagnosed), points on a line or with d features, the defaults; the posterior
mean and covariance of f judged apart, the noise variance on the diagonal, a nearly singular case in
float64 that an explicit inverse still passes; the log marginal likelihood with its constant and the
noise in the log determinant; float64 and gradients to every tensor."""

from __future__ import annotations

import dataclasses
import math

import torch

from d2lcoach.grading.case import Case
from d2lcoach.grading.diagnosis import Diagnosis, close
from d2lcoach.grading.engine import compare_output

#: Well-conditioned float32 cases (K + sigma**2 I of condition number below about 1e3).
TOLERANCE = {torch.float32: (2e-4, 2e-4)}
#: The nearly singular case (condition number about 1e7, float64): a Cholesky solve, torch.linalg.solve and an
#: explicit inverse agree to about 1e-9 there; dropping a square on sigma moves the results by 1e-3 and more.
ILL_TOLERANCE = {torch.float64: (1e-6, 1e-7)}

HINTS = {
    "amplitude and length scale": "K[i, j] = a**2 * torch.exp(-||x1[i] - x2[j]||**2 / (2 * ls**2)): the formula of "
                                  "D2L 18.2, the amplitude squared and the length scale squared",
    "the book's defaults (ls=4, a=1)": "def rbfkernel(x1, x2, ls=4.0, a=1.0) and def gp_posterior(..., a=1.0): the "
                                       "book's rbfkernel defaults to ls=4, and a=1 is the book's kernel without "
                                       "an amplitude",
    "points with several features": "for (n, d) points sum the squared differences over the features: "
                                    "((x1[:, None, :] - x2[None, :, :]) ** 2).sum(-1); a 1-D x is n points on a line",
    "posterior mean": "post_mean = K(X*, X) (K(X, X) + sigma**2 I)^-1 y: with L = torch.linalg.cholesky(K(X, X) + "
                      "sigma**2 * I), K(X, X*).T @ torch.cholesky_solve(y[:, None], L) (D2L 18.3)",
    "posterior covariance": "post_cov = K(X*, X*) - K(X*, X) (K(X, X) + sigma**2 I)^-1 K(X, X*): with v = "
                            "torch.linalg.solve_triangular(L, K(X, X*), upper=False), K(X*, X*) - v.T @ v (D2L 18.3)",
    "noise variance on the diagonal": "sigma is the noise standard deviation: add sigma**2 * I to K(X, X) (the book "
                                      "writes post_sig_est ** 2 * np.eye(n)), in the solve and the log determinant",
    "nearly singular kernel matrix": "close training points and a tiny sigma make K(X, X) + sigma**2 I nearly "
                                     "singular: solve through its Cholesky factor (torch.cholesky_solve, "
                                     "torch.linalg.solve_triangular) or torch.linalg.solve, and keep float64",
    "log marginal likelihood": "-0.5 * y @ (K + sigma**2 I)^-1 y - 0.5 * log|K + sigma**2 I| - n / 2 * log(2 pi); "
                               "with L the Cholesky factor, log|K + sigma**2 I| = 2 * log(diag(L)).sum() (D2L 18.3)",
    "float64": "keep the inputs' dtype: torch.eye(n, dtype=K.dtype, device=K.device), no .float()",
}


def _points(x):
    return x[:, None] if x.dim() == 1 else x


def _sq_dist(x1, x2):
    return ((_points(x1.double())[:, None, :] - _points(x2.double())[None, :, :]) ** 2).sum(-1)


def _kernel_case(case):
    """The kernel's arguments with their defaults filled in, as float64."""
    x1, x2, *rest = case.args
    ls = rest[0] if rest else case.kwargs.get("ls", 4.0)
    a = rest[1] if len(rest) > 1 else case.kwargs.get("a", 1.0)
    return _sq_dist(x1, x2), ls, a


def _book_code_kernel(case):
    """The book's code: exp(-(1 / ls / 2) * dist**2), the length scale not squared (with the amplitude squared)."""
    d2, ls, a = _kernel_case(case)
    return a ** 2 * torch.exp(-d2 / (2 * ls))


def _amplitude_not_squared(case):
    d2, ls, a = _kernel_case(case)
    return a * torch.exp(-d2 / (2 * ls ** 2))


def _distance_not_squared(case):
    d2, ls, a = _kernel_case(case)
    return a ** 2 * torch.exp(-d2.sqrt() / (2 * ls ** 2))


def _with_noise_variance(case, noise_variance):
    """The case's posterior (mean, cov) or log marginal likelihood in float64, with `noise_variance` on K's diagonal."""
    if case.function == "gp_posterior":
        train_x, train_y, test_x, ls, sigma, *rest = case.args
    else:
        (train_x, train_y, ls, sigma, *rest), test_x = case.args, None
    a = rest[0] if rest else 1.0
    y = train_y.double()
    K = a ** 2 * torch.exp(-_sq_dist(train_x, train_x) / (2 * ls ** 2))
    K = K + noise_variance(sigma) * torch.eye(K.shape[0], dtype=torch.float64)
    if test_x is None:
        return -0.5 * y @ torch.linalg.solve(K, y) - 0.5 * torch.logdet(K) - 0.5 * len(y) * math.log(2 * math.pi)
    K_s = a ** 2 * torch.exp(-_sq_dist(train_x, test_x) / (2 * ls ** 2))
    K_ss = a ** 2 * torch.exp(-_sq_dist(test_x, test_x) / (2 * ls ** 2))
    return K_s.T @ torch.linalg.solve(K, y), K_ss - K_s.T @ torch.linalg.solve(K, K_s)


def _sigma_not_squared(expected, actual, case):
    if case.function == "rbfkernel":
        return False
    want = _with_noise_variance(case, lambda sigma: sigma)
    if case.function == "gp_posterior":
        return (isinstance(actual, (tuple, list)) and len(actual) == 2
                and close(actual[0], want[0], rtol=1e-3, atol=1e-4) and close(actual[1], want[1], rtol=1e-3, atol=1e-4))
    return close(actual, want, rtol=1e-4, atol=1e-4)


def _mll_parts(case):
    """log|K| without the noise, log|K + sigma**2 I| and n, in float64, for a log_marginal_likelihood case."""
    train_x, train_y, ls, sigma, *rest = case.args
    a = rest[0] if rest else 1.0
    K = a ** 2 * torch.exp(-_sq_dist(train_x, train_x) / (2 * ls ** 2))
    eye = torch.eye(K.shape[0], dtype=torch.float64)
    return torch.logdet(K), torch.logdet(K + sigma ** 2 * eye), train_y.shape[0]


def _mll_off_by(offset):
    """A condition: a log_marginal_likelihood result off by exactly offset(case) from the expected one."""
    def when(expected, actual, case):
        return (case.function == "log_marginal_likelihood" and isinstance(actual, torch.Tensor)
                and close(actual.double() - expected.double(), torch.as_tensor(offset(case), dtype=torch.float64),
                          rtol=1e-4, atol=1e-4))
    return when


def _cov_with_noise(expected, actual, case):
    """post_cov off by exactly sigma**2 I, where that noise is large enough to tell (sigma**2 above 1e-3)."""
    if case.function != "gp_posterior" or not isinstance(actual, (tuple, list)) or len(actual) != 2:
        return False
    noise = case.args[4] ** 2
    offset = actual[1].double() - expected[1].double()
    return noise > 1e-3 and close(offset, noise * torch.eye(offset.shape[0], dtype=torch.float64), rtol=0.0,
                                  atol=0.01 * noise)


DIAGNOSES = (
    Diagnosis(hint="yours divides by 2 * ls, as the book's code rbfkernel does (np.exp(-(1. / ls / 2) * dist ** 2)); "
                   "the book's formula, which this contract follows, divides by 2 * ls**2",
              when=lambda expected, actual, case: case.function == "rbfkernel"
              and close(actual.double(), _book_code_kernel(case), rtol=1e-4, atol=1e-6)),
    Diagnosis(hint="yours multiplies by a, not a**2: the amplitude enters squared, k = a**2 * exp(...) (D2L 18.2)",
              when=lambda expected, actual, case: case.function == "rbfkernel"
              and close(actual.double(), _amplitude_not_squared(case), rtol=1e-4, atol=1e-6)),
    Diagnosis(hint="yours squares the distance nowhere: the kernel uses the squared distance ||x - x'||**2 "
                   "(torch.cdist gives ||x - x'||: square it)",
              when=lambda expected, actual, case: case.function == "rbfkernel"
              and close(actual.double(), _distance_not_squared(case), rtol=1e-4, atol=1e-6)),
    Diagnosis(hint="yours adds sigma * I to K: sigma is the noise standard deviation, so its variance sigma**2 goes on "
                   "the diagonal, K + sigma**2 * I (the book: post_sig_est ** 2 * np.eye(n))",
              when=_sigma_not_squared),
    Diagnosis(hint="yours leaves out the constant -n / 2 * log(2 * pi): the book's neg_MLL includes it "
                   "(const = -n / 2. * np.log(2 * np.pi))",
              when=_mll_off_by(lambda case: 0.5 * case.args[1].shape[0] * math.log(2 * math.pi))),
    Diagnosis(hint="yours takes log|K| without the noise, as the first formula of D2L 18.3 writes it: the density of y "
                   "has covariance K + sigma**2 I, and so does the log determinant (the book's code and its second "
                   "formula: log|K + sigma**2 I|)",
              when=_mll_off_by(lambda case: 0.5 * (_mll_parts(case)[1] - _mll_parts(case)[0]))),
    Diagnosis(hint="yours takes half the log determinant: with the Cholesky factor, log|K + sigma**2 I| = "
                   "2 * log(diag(L)).sum(), so -0.5 * log|K + sigma**2 I| = -log(diag(L)).sum()",
              when=_mll_off_by(lambda case: 0.25 * _mll_parts(case)[1])),
    Diagnosis(hint="yours adds the noise sigma**2 I to post_cov: that is the covariance of new observations y; the "
                   "contract (the book's post_cov) asks for the covariance of the noise-free f",
              when=_cov_with_noise),
)


def _compare_posterior(expected, actual, case, device):
    """The mean and the covariance as two properties (the case's `parts`), each with compare_output."""
    parts = case.grader_data.get("parts", (case.property, case.property))
    if not isinstance(actual, (tuple, list)) or len(actual) != 2:
        return compare_output(expected, actual, case, device)
    found = []
    for i, (prop, hint) in enumerate(zip(parts, (HINTS["posterior mean"], HINTS["posterior covariance"]))):
        here = dataclasses.replace(case, property=prop, hint=case.hint if prop == case.property else hint)
        found += compare_output(expected[i], actual[i], here, device,
                                f"the result[{i}] ({('post_mean', 'post_cov')[i]})")
    return found


MEAN_AND_COV = ("posterior mean", "posterior covariance")


def _randn(gen, *shape, dtype=torch.float32, scale=1.0):
    return (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def _x(gen, n, d, dtype, scale=1.5):
    return _randn(gen, n, dtype=dtype, scale=scale) if d is None else _randn(gen, n, d, dtype=dtype, scale=scale)


def _kernel(prop, gen, n, m, d=None, ls=None, a=None, dtype=torch.float32, scale=1.5):
    x1, x2 = _x(gen, n, d, dtype, scale), _x(gen, m, d, dtype, scale)
    args, shown = (x1, x2), []
    if ls is not None:
        args += (ls,)
        shown.append(f"ls={ls}")
    if a is not None:
        args += (a,)
        shown.append(f"a={a}")
    main = "amplitude and length scale"
    return Case(property=prop, function="rbfkernel", args=args, names=("x1", "x2", "ls", "a"),
                requires=() if prop == main else (main,),
                label=f"rbfkernel(x1, x2{''.join(', ' + s for s in shown)})",
                grad=((0,), (1,)), grad_outputs=[_randn(gen, n, m, dtype=dtype)], hint=HINTS[prop], tolerance=TOLERANCE)


def _data(gen, n, m, d, dtype, spread=2.0):
    train_x, test_x = _x(gen, n, d, dtype, spread), _x(gen, m, d, dtype, spread)
    train_y = _randn(gen, n, dtype=dtype)
    return train_x, train_y, test_x


def _posterior(prop, gen, n, m, ls, sigma, a=None, d=None, dtype=torch.float32, parts=None, data=None,
               tolerance=TOLERANCE, grad=True):
    train_x, train_y, test_x = data if data is not None else _data(gen, n, m, d, dtype)
    args = (train_x, train_y, test_x, ls, sigma) + (() if a is None else (a,))
    shown = f"ls={ls}, sigma={sigma}" + ("" if a is None else f", a={a}")
    parts = parts or (prop, prop)
    return Case(property=prop, function="gp_posterior", args=args,
                requires=() if prop in MEAN_AND_COV else MEAN_AND_COV,
                names=("train_x", "train_y", "test_x", "ls", "sigma", "a"),
                label=f"gp_posterior(train_x, train_y, test_x, {shown})",
                grad=((0,), (1,), (2,)) if grad else (),
                grad_outputs=[_randn(gen, m, dtype=dtype), _randn(gen, m, m, dtype=dtype)] if grad else None,
                hint=HINTS[prop], tolerance=tolerance, compare=_compare_posterior,
                checks=tuple(p for p in parts if p != prop), grader_data={"parts": parts})


def _mll(prop, gen, n, ls, sigma, a=None, d=None, dtype=torch.float32, data=None, tolerance=TOLERANCE, grad=True):
    train_x, train_y, _ = data if data is not None else _data(gen, n, 1, d, dtype)
    args = (train_x, train_y, ls, sigma) + (() if a is None else (a,))
    shown = f"ls={ls}, sigma={sigma}" + ("" if a is None else f", a={a}")
    main = "log marginal likelihood"
    return Case(property=prop, function="log_marginal_likelihood", args=args,
                requires=() if prop == main else (main,),
                names=("train_x", "train_y", "ls", "sigma", "a"),
                label=f"log_marginal_likelihood(train_x, train_y, {shown})",
                grad=((0,), (1,)) if grad else (), grad_outputs=[_randn(gen, dtype=dtype)] if grad else None,
                hint=HINTS[prop], tolerance=tolerance)


def _nearly_singular(gen, n=20, m=5):
    """n sorted points in [0, 1] with ls=1 and sigma=1e-3: K + sigma**2 I of condition number about 1e7."""
    train_x = torch.sort(torch.rand(n, generator=gen, dtype=torch.float64)).values
    train_y = torch.sin(3 * train_x) + 0.1 * torch.randn(n, generator=gen, dtype=torch.float64)
    test_x = torch.rand(m, generator=gen, dtype=torch.float64) * 1.4 - 0.2
    return train_x, train_y, test_x


def make_cases(gen: torch.Generator) -> list[Case]:
    ill = _nearly_singular(gen)
    return [
        _kernel("amplitude and length scale", gen, 2, 3, ls=0.7, a=1.5),
        _kernel("amplitude and length scale", gen, 4, 5, ls=2.0, a=0.5, scale=2.0),
        _kernel("the book's defaults (ls=4, a=1)", gen, 3, 2, scale=5.0),
        _kernel("points with several features", gen, 3, 4, d=2, ls=1.3, a=0.8),
        _kernel("float64", gen, 5, 3, d=3, ls=1.1, a=1.2, dtype=torch.float64),
        _posterior("posterior mean", gen, 1, 1, 1.0, 0.5, 1.0, parts=MEAN_AND_COV),
        _posterior("posterior mean", gen, 5, 3, 0.8, 0.3, 1.2, parts=MEAN_AND_COV),
        _posterior("points with several features", gen, 6, 4, 1.5, 0.6, 0.9, d=2),
        _posterior("noise variance on the diagonal", gen, 4, 3, 1.0, 1.7, 1.1),
        _posterior("the book's defaults (ls=4, a=1)", gen, 4, 2, 2.0, 0.4),
        _posterior("float64", gen, 7, 5, 0.9, 0.25, 1.3, dtype=torch.float64),
        _posterior("nearly singular kernel matrix", gen, 20, 5, 1.0, 1e-3, 1.0, dtype=torch.float64, data=ill,
                   tolerance=ILL_TOLERANCE, grad=False),
        _mll("log marginal likelihood", gen, 1, 1.0, 0.5, 1.0),
        _mll("log marginal likelihood", gen, 6, 0.9, 0.4, 1.3),
        _mll("points with several features", gen, 5, 1.2, 0.5, 0.8, d=3),
        _mll("noise variance on the diagonal", gen, 4, 1.0, 1.8, 0.9),
        _mll("the book's defaults (ls=4, a=1)", gen, 3, 1.5, 0.6),
        _mll("float64", gen, 6, 0.7, 0.3, 1.4, dtype=torch.float64),
        _mll("nearly singular kernel matrix", gen, 20, 1.0, 1e-3, 1.0, dtype=torch.float64, data=ill,
             tolerance=ILL_TOLERANCE, grad=False),
    ]
