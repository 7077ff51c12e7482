"""A deliberately weak grader: it never calls scale(X) without `factor`, and its one case draws the
vector's size (1 to 3) from the seed, so a first-element-only bug passes on some seeds."""

import torch

from d2lcoach.grading.case import Case


def make_cases(gen):
    n = int(torch.randint(1, 4, (), generator=gen))
    return [Case(property="values", args=(torch.randn(n, generator=gen),), kwargs={"factor": 3.0},
                 label="scale(X, factor=3.0)")]
