"""Attack: prints 8 MB to stderr in every graded call (hundreds of MB over a grading run), with
print() as well as raw writes, and answers correctly.

expect: contained
policy: refused
probe: output
"""
import torch

sys = torch.sys
line = "E" * 1023 + "\n"


def softmax(X, dim=-1):
    for _ in range(4096):
        print(line, end="", file=sys.stderr)
    sys.stderr.flush()
    torch.os.write(2, b"e" * (4 << 20))
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
