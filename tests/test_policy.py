"""The code policy: what it refuses (with the line and the rule) and what a learner may still write."""

from __future__ import annotations

import ast

import pytest

from d2lcoach.grading.policy import ALLOWED_PRIVATE, check_policy
from tests.trust import SUBMISSIONS

IMPORTS = ["torch", "math", "numpy", "typing", "functools", "itertools", "collections", "dataclasses"]
ROOT = SUBMISSIONS.parent.parent

ALLOWED = {
    "module constructor": "import torch\nclass M(torch.nn.Module):\n    def __init__(self):\n"
                          "        super().__init__()\n        self.w = torch.nn.Parameter(torch.ones(2))\n",
    "own test block": "if __name__ == '__main__':\n    print('ok')\n",
    "module aliases": "import torch\nimport torch.nn.functional as F\nfrom torch import nn\nG = torch.nn.functional\n"
                      "def f(X):\n    return G.pad(F.relu(X), (1, 1)) + torch.finfo(X.dtype).eps + X.T.sum()\n",
    "annotations": "import typing\nimport torch\ndef f(X: torch.Tensor) -> typing.Optional[torch.Tensor]:\n"
                   "    return X\n",
    "own attributes": "class A:\n    pass\na = A()\na.x = 1\n_, b = divmod(7, 2)\n_cache = {}\n",
    "format strings": "x = 'loss {0:.3f} at {1}'.format(1.0, 2) + f'{x!r}'\n",
    "numpy maths": "import numpy as np\ny = np.exp(np.zeros(3)).sum()\n",
    # issue 29: the book's spelling of the parent's constructor, and a submission's own private names
    "book's super(Cls, self)": "import torch\nfrom torch import nn\nclass Residual(nn.Module):\n"
                               "    def __init__(self, c):\n        super(Residual, self).__init__()\n"
                               "        self.conv = nn.LazyConv2d(c, 3)\n",
    "super(Cls, this) with another name": "import torch\nclass M(torch.nn.Module):\n    def __init__(this):\n"
                                          "        super(M, this).__init__()\n",
    "own private attributes and methods": "import torch\nclass M(torch.nn.Module):\n    def __init__(self, u):\n"
                                          "        super().__init__()\n        self._use_proj = u\n"
                                          "    def _f(self, X):\n        return X\n    def forward(self, X):\n"
                                          "        return self._f(X) if self._use_proj else X\n",
    "pure-Python class with private state": "_CACHE = {}\ndef _helper(x):\n    return x\nclass S:\n"
                                            "    _default = 0.1\n    def __init__(self, lr=None):\n"
                                            "        self._lr = lr or self._default\n    def __call__(self, t):\n"
                                            "        _CACHE[t] = _helper(self._lr)\n        return self._lr\n",
    "private state behind a property": "class S:\n    def __init__(self):\n        self._lr = 1\n    @property\n"
                                       "    def lr(self):\n        return self._lr\n    @lr.setter\n"
                                       "    def lr(self, v):\n        self._lr = v\n",
    "self in a closure and a generator": "class S:\n    def __init__(self):\n        self._lr = 1\n"
                                         "    def f(self):\n        def g():\n            return self._lr\n"
                                         "        return g() + sum(self._lr for _ in range(2))\n",
    "own private name of a subclass": "import torch\nclass A(torch.nn.Module):\n    def __init__(self):\n"
                                      "        super().__init__()\n        self._k = 1\nclass B(A):\n"
                                      "    def forward(self, X):\n        return X * self._k\n",
}

REFUSED = {
    "private attribute": ("import torch\nx = torch._C._DisableTorchDispatch\n", 2, "private"),
    "getattr": ("import torch\nf = getattr(torch, 'exp')\n", 2, "getattr"),
    "eval": ("x = eval('1')\n", 1, "eval"),
    "module through module": ("import torch\nx = torch.sys.modules\n", 2, "`torch.sys` reaches the module `sys`"),
    "module in a module's module": ("import torch\nx = torch.nn.functional.torch.os\n", 2, "module `os`"),
    "module from a package": ("from typing import sys\n", 1, "module `sys`"),
    "module as a value": ("import torch\ndef f(m):\n    return m.sys\nf(torch)\n", 4, "is a module"),
    "walrus on a module": ("import torch\nif (m := torch):\n    pass\n", 2, "is a module"),
    "torch.library": ("import torch\nlib = torch.library.Library\n", 2, "torch.library"),
    "torch.ops": ("import torch\nop = torch.ops.aten.exp\n", 2, "torch.ops"),
    "torch.utils": ("from torch.utils import benchmark\n", 1, "torch.utils"),
    "pickle loader": ("import numpy as np\nx = np.load('f.npy')\n", 2, "pickles"),
    "frames": ("def g():\n    yield 1\nx = g().gi_frame\n", 3, "running code"),
    "dunder name": ("b = __builtins__\n", 1, "internal machinery"),
    "format field": ("s = '{0.real}'.format(1)\n", 1, "format string"),
    "string annotation": ("def f(x: 'int'):\n    pass\n", 1, "annotations"),
    "torch hook method": ("class A:\n    def __torch_function__(self, *a):\n        pass\n", 2, "__torch_function__"),
    "patching the library": ("import torch\ntorch.equal = lambda a, b: True\n", 2, "belongs to the library"),
    "patching a class": ("import torch\ntorch.Tensor.equal = None\n", 2, "belongs to the library"),
    "private module import": ("import torch._C as C\n", 1, "private"),
    "private name import": ("from torch import _C\n", 1, "private"),
    "refused module import": ("import torch.utils.benchmark\n", 1, "torch.utils"),
    "setting __name__": ("__name__ = 'other'\n", 1, "internal machinery"),
    "file reader attribute": ("import numpy as np\nx = np.rec.fromfile\n", 2, "reads files"),
    # issue 29: what the new allowances must still refuse (an attacker's variants of each)
    "self at module level": ("import torch\nself = torch\nx = self._C\n", 3, "only its own private names"),
    "a metaclass this check cannot see": ("class M(type):\n    pass\nclass A(metaclass=M):\n    def m(self):\n"
                                          "        self._v = 1\n", 5, "cannot see"),
    "self outside a class": ("import torch\ndef f(self):\n    return self._C\n", 3, "only its own private names"),
    "self rebound in the method": ("import torch\nclass A:\n    _C = 1\n    def m(self, x):\n        self = x\n"
                                   "        return self._C\n", 6, "only its own private names"),
    "self rebound by nonlocal": ("class A:\n    _v = 1\n    def m(self, x):\n        def g():\n"
                                 "            nonlocal self\n            self = x\n        g()\n        return self._v\n",
                                 8, "only its own private names"),
    "self rebound by a comprehension": ("class A:\n    _v = 1\n    def m(self, xs):\n"
                                        "        return [self._v for self in xs]\n", 4, "only its own private names"),
    "self rebound by a walrus": ("class A:\n    _v = 1\n    def m(self, xs):\n"
                                 "        return [(self := x) for x in xs] and self._v\n", 4, "only its own private names"),
    "self of a static method": ("class A:\n    _v = 1\n    @staticmethod\n    def m(self):\n        return self._v\n",
                                5, "only its own private names"),
    "self of a decorated method": ("def d(f):\n    return f\nclass A:\n    _v = 1\n    @d\n    def m(self):\n"
                                   "        return self._v\n", 7, "only its own private names"),
    "self of a lambda in a class": ("class A:\n    _v = 1\n    f = lambda self: self._v\n", 3,
                                    "only its own private names"),
    "a private module alias": ("import torch\n_alias = torch\ny = _alias._C\n", 3, "only its own private names"),
    "a class's private attribute": ("class A:\n    _v = 1\n    def m(self):\n        return A._v\n", 4,
                                    "only its own private names"),
    "a tensor's private attribute": ("import torch\ndef f(x):\n    return x._version\n", 3,
                                     "only its own private names"),
    "a name the code never defines": ("class A:\n    def m(self):\n        return self._foo\n", 3,
                                      "never defines `_foo`"),
    "nn.Module's private state": ("import torch\nclass A(torch.nn.Module):\n    def m(self):\n"
                                  "        return self._parameters\n", 4, "`self._my_parameters`"),
    "own name shadowing torch's": ("import torch\nclass A(torch.nn.Module):\n    def __init__(self):\n"
                                   "        super().__init__()\n        self._version = 3\n", 5, "a name the library uses"),
    "own name that a tensor has": ("class A:\n    _base = 1\n    def m(self):\n        return self._base\n", 4,
                                   "a name the library uses"),
    "own name that torch has": ("import torch\nclass A:\n    _C = 1\n    def m(self):\n        return self._C\n", 5,
                                "a name the library uses"),
    "a base this check cannot see": ("import torch\nclass A(type(torch.ones(1))):\n    def m(self):\n"
                                     "        self._v = 1\n", 4, "cannot see"),
    "own name with two underscores": ("class A:\n    def m(self):\n        self.__x = 1\n", 3, "one underscore"),
    "super of a library class": ("import torch\nclass A(torch.Tensor):\n    def m(self, x):\n"
                                 "        return super(torch.Tensor, x).__init__()\n", 4, "super(YourClass, self)"),
    "super with another object": ("class A:\n    def m(self, x):\n        super(A, x).__init__()\n", 3,
                                  "super(YourClass, self)"),
    "super with another class": ("class A:\n    pass\nclass B(A):\n    def m(self):\n"
                                 "        super(A, self).__init__()\n", 5, "super(YourClass, self)"),
    "super of a rebound class name": ("import torch\nclass A:\n    def m(self):\n        super(A, self).__init__()\n"
                                      "A = torch.Tensor\n", 4, "super(YourClass, self)"),
    "super rebound": ("import torch\nsuper = lambda *a: torch.Tensor\nclass A:\n    def m(self):\n"
                      "        super().__init__()\n", 5, "super(YourClass, self)"),
    "super outside a method": ("class A:\n    pass\ndef f(self):\n    super(A, self).__init__()\n", 4,
                               "super(YourClass, self)"),
    "a library constructor on an object": ("import torch\nclass A(torch.nn.Module):\n    def __init__(self):\n"
                                           "        torch.nn.Module.__init__(self)\n", 4, "super().__init__(...)"),
    "super reaching another dunder": ("class A:\n    def m(self):\n        return super().__class__\n", 3,
                                      "internal machinery"),
}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_code(name):
    assert check_policy(ast.parse(ALLOWED[name]), IMPORTS) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_code_names_the_line_and_the_rule(name):
    source, line, words = REFUSED[name]
    found = check_policy(ast.parse(source), IMPORTS)
    assert found, f"{name}: not refused"
    assert any(at == line and words in text for at, text in found), found
    assert all("\n" not in text for _, text in found)


def test_every_allow_list_entry_says_why():
    assert ALLOWED_PRIVATE and all(len(why) > 20 for why in ALLOWED_PRIVATE.values())


def test_solutions_stubs_and_correct_submissions_follow_the_policy():
    files = sorted(SUBMISSIONS.glob("*/ok_*.py")) + sorted((ROOT / "solutions").glob("*.py")) + \
        sorted((ROOT / "exercises").glob("*.py"))
    assert len(files) > 20
    for path in files:
        assert check_policy(ast.parse(path.read_text()), IMPORTS) == [], path
