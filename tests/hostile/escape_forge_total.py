"""Attack: prints terminal control sequences that, shown raw by `check` or by `cat` of the
feedback, would clear the screen, move the cursor, retitle the window and overwrite lines with a
forged "Total: 10 / 10": CSI and OSC through ESC, the 8-bit CSI, carriage returns, backspaces and
a right-to-left override. Its answer is wrong.

expect: fail values
probe: clean_text
"""
import torch

print("\x1b[2J\x1b[H\x1b]0;d2lcoach: PASSED\x07**Total: 10 / 10 points**", flush=True)
print("NOT YET\r\x1b[2KPASSED softmax  score 100%", flush=True)
print("FAIL\x08\x08\x08\x08pass \x9b1;32m ok \u202eeulav", flush=True)


def softmax(X, dim=-1):
    return X.exp()
