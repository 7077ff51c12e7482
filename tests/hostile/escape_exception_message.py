"""Attack: the graded call raises an exception whose message carries terminal escapes and a
carriage return that would overwrite the failure line with a forged pass when printed raw.

expect: fail values
probe: clean_text
"""
import torch


def softmax(X, dim=-1):
    raise RuntimeError("shape mismatch\r\x1b[2K\x1b[32mPASSED\x1b[0m softmax 10/10 \x1b]8;;https://example.invalid\x1b\\")
