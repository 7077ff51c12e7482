"""Text from learners made safe and short: control characters escaped, spreadsheet cells defused, long lines clipped.

A submission controls what it prints, its exception messages and some names in check messages.
Raw ESC, CR, backspace and other C0/C1 controls (and the bidi overrides that reorder a line) could
rewrite a terminal or a `cat`-ed feedback file, e.g. to forge "Total: 10 / 10". `clean` turns each
into a visible escape such as `\\x1b`; newline and tab stay where multi-line text is legitimate.
`spreadsheet_safe` does the same for a CSV cell and keeps a spreadsheet from reading it as a formula.
`clip` cuts text to fit: at a word boundary, with an ellipsis, never in the middle of a word.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
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


#: What a spreadsheet may read as the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell that a spreadsheet shows as text, on one line, as it reads: control characters (ESC, OSC,
    newlines) and bidi overrides are escaped visibly (`\\x1b`); one that could start a formula gets a
    leading '."""
    return ("'" if text.startswith(FORMULA_STARTS) else "") + clean(text, one_line=True)


def clip(text: str, limit: int, more: bool = False) -> str:
    """`text` in at most `limit` characters (the ellipsis included), cut after the last whole word that
    fits; a single word longer than `limit` is cut hard. `more`: text follows anyway (an ellipsis even
    when `text` fits)."""
    if len(text) <= limit:
        return text + ELLIPSIS if more and text else text
    room = max(limit - len(ELLIPSIS), 0)
    head = text[:room]
    if text[room:room + 1].strip() and " " in head:  # the cut falls inside a word: drop that word
        head = head[:head.rindex(" ")]
    return head.rstrip(" ,;:") + ELLIPSIS
