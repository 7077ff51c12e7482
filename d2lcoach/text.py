"""Cutting text to fit: at a word boundary, with an ellipsis, never in the middle of a word."""

from __future__ import annotations

ELLIPSIS = "…"


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
