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
