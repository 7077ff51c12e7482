"""Grader for bpe (D2L 15.6): pure Python over the book's dict of space-separated symbols, with the
`steps` driver (merge_symbols appends to the caller's list in place, and token_freqs must stay as it
was). Fixed cases hold the book's example and one case per line of the contract; random vocabularies,
merged several times by the book's loop, only add."""

from __future__ import annotations

import torch

from d2lcoach.grading import driven
from d2lcoach.grading.case import Case

_LETTERS = "abcde"
_BOOK = {"fast_": 4, "faster_": 3, "tall_": 5, "taller_": 4}
_HINTS = {
    "pair counts": "for each token, symbols = token.split(); for i in range(len(symbols) - 1): "
                   "pairs[symbols[i], symbols[i + 1]] += freq: every position counts, weighted by the token's "
                   "frequency (D2L 15.6)",
    "ties": "return max(pairs, key=pairs.get): among equal counts the pair counted first wins (dicts keep "
            "insertion order); do not sort the pairs or compare the symbols themselves (D2L 15.6)",
    "merge": "symbols.append(''.join(max_freq_pair)), then a new dict with, for each token, "
             "token.replace(' '.join(max_freq_pair), ''.join(max_freq_pair)) and the same frequency (D2L 15.6)",
    "the book's loop": "max_freq_pair = get_max_freq_pair(token_freqs); token_freqs = merge_symbols(max_freq_pair, "
                       "token_freqs, symbols), repeated: each merge appends one symbol and returns a new dict "
                       "(D2L 15.6)",
}


def _spaced(words: dict) -> dict:
    """The book's token_freqs: each word's characters separated by single spaces."""
    return {" ".join(word): freq for word, freq in words.items()}


def _case(prop: str, token_freqs: dict, symbols: list, steps: list, label: str) -> Case:
    spec = {"driver": "steps", "env": {"token_freqs": dict(token_freqs), "symbols": list(symbols)},
            "watch": ["token_freqs", "symbols"], "steps": steps}
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=driven.compare_steps,
                devices=("cpu",), meta=False, hint=_HINTS[prop], label=label,
                exact_containers=True)  # the pair is a tuple, the merged dict keeps the tokens' order


def _pair(prop: str, token_freqs: dict) -> Case:
    step = {"call": "get_max_freq_pair", "args": [{"ref": "token_freqs"}], "label": "get_max_freq_pair(token_freqs)"}
    return _case(prop, token_freqs, [], [step], f"get_max_freq_pair({token_freqs!r})")


def _merge(pair, token_freqs: dict, symbols: list) -> Case:
    step = {"call": "merge_symbols", "args": [pair, {"ref": "token_freqs"}, {"ref": "symbols"}],
            "label": f"merge_symbols({pair!r}, token_freqs, symbols)"}
    return _case("merge", token_freqs, symbols, [step],
                 f"merge_symbols({pair!r}, {token_freqs!r}, symbols={symbols!r})")


def _loop(prop: str, token_freqs: dict, num_merges: int) -> Case:
    steps, current = [], "token_freqs"
    for i in range(num_merges):
        steps.append({"call": "get_max_freq_pair", "args": [{"ref": current}], "save": f"pair{i}",
                      "label": f"merge #{i + 1}: max_freq_pair = get_max_freq_pair(token_freqs)"})
        steps.append({"call": "merge_symbols", "args": [{"ref": f"pair{i}"}, {"ref": current}, {"ref": "symbols"}],
                      "save": f"token_freqs{i + 1}",
                      "label": f"merge #{i + 1}: token_freqs = merge_symbols(max_freq_pair, token_freqs, symbols)"})
        current = f"token_freqs{i + 1}"
    return _case(prop, token_freqs, [], steps, f"{num_merges} merges of the book's loop from {token_freqs!r}")


def _random_words(gen: torch.Generator) -> dict:
    """4 to 6 distinct words of 3 to 6 letters over a small alphabet (so pairs repeat), each ending in '_'."""
    words = {}
    while len(words) < 4 + int(torch.randint(3, (), generator=gen)):
        length = 3 + int(torch.randint(4, (), generator=gen))
        word = "".join(_LETTERS[int(i)] for i in torch.randint(len(_LETTERS), (length,), generator=gen)) + "_"
        words.setdefault(word, 1 + int(torch.randint(9, (), generator=gen)))
    return words


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [
        # D2L 15.6: ('t', 'a') first; ('t', 'a'), ('a', 'l') and ('l', 'l') all count 9.
        _pair("pair counts", _spaced(_BOOK)),
        _pair("pair counts", {"a b": 1, "a b c": 1, "c d": 3}),        # weighted by frequency: ('c', 'd')
        _pair("pair counts", {"x y": 1, "a a a": 1}),                  # ('a', 'a') twice in one token
        _pair("pair counts", {"ta l l _": 5, "fa s t _": 4, "fa s t er_": 3}),   # symbols longer than one letter
        _pair("ties", {"b a": 2, "c d": 2}),                           # the first counted, not the largest
        _pair("ties", {"c d": 2, "b a": 2, "e f": 2}),                 # neither the smallest nor the last
        _pair("ties", {"a b": 1, "c d": 2, "a b c": 1}),               # ('a', 'b') reaches 2 later, but was seen first
        _merge(("t", "a"), _spaced(_BOOK), []),
        _merge(["a", "b"], {"a b a b _": 2, "b a _": 1}, ["x"]),       # every occurrence; a list pair
        _merge(("a", "b"), {"ca b _": 3, "a b c": 1}, []),             # the book's str.replace: 'cab _'
        _merge(("a", "b"), {"b a _": 2, "a b _": 3, "c _": 1}, []),    # keys in the tokens' order, not sorted
        _loop("the book's loop", _spaced(_BOOK), 10),
    ]
    for _ in range(3):
        cases.append(_loop("the book's loop", _spaced(_random_words(gen)), 3 + int(torch.randint(4, (), generator=gen))))
    return cases
