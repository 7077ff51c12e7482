"""Learner text made safe to show: control characters are escaped visibly.

A submission controls what it prints, its exception messages and some names in check messages.
Raw ESC, CR, backspace and other C0/C1 controls (and the bidi overrides that reorder a line) could
rewrite a terminal or a `cat`-ed feedback file, e.g. to forge "Total: 10 / 10". `clean` turns each
into a visible escape such as `\\x1b`; newline and tab stay where multi-line text is legitimate.
"""

from __future__ import annotations

import re

_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character escaped (newline and tab kept unless `one_line`)."""
    text = str(text).replace("\r\n", "\n")
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_visible, text)
