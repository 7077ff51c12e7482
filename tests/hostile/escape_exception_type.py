"""Attack: raises, while loading, an exception whose class name itself is made of escape
sequences (the grader quotes the type name before the message).

expect: error
probe: clean_text
"""
import torch

Forged = type("\x1b[1A\x1b[2K\x1b[32mPASSED\x1b[0m", (Exception,), {})
raise Forged("\x1b[8m(hidden text)\x1b[0m")


def softmax(X, dim=-1):
    return X
