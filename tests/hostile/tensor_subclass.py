"""Attack: returns a torch.Tensor subclass whose comparisons, reductions and conversions all lie
(every comparison true, every value the grader might read rewritten).

expect: fail result type
policy: refused
"""
import torch


class Liar(torch.Tensor):
    def __eq__(self, other):
        return torch.ones(self.shape, dtype=torch.bool)

    def __ne__(self, other):
        return torch.zeros(self.shape, dtype=torch.bool)

    def allclose(self, *args, **kwargs):
        return True

    def equal(self, *args, **kwargs):
        return True

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in ("allclose", "equal", "isclose", "eq"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


def softmax(X, dim=-1):
    return torch.zeros_like(X).as_subclass(Liar)
