"""collections.Counter over zip(symbols, symbols[1:]) and a loop keeping the first strict maximum;
the merge as a dict comprehension.

expect: pass
"""

from collections import Counter


def get_max_freq_pair(token_freqs):
    pairs = Counter()
    for token, freq in token_freqs.items():
        symbols = token.split()
        for pair in zip(symbols, symbols[1:]):
            pairs[pair] += freq
    best = None
    for pair in pairs:
        if best is None or pairs[pair] > pairs[best]:
            best = pair
    return best


def merge_symbols(max_freq_pair, token_freqs, symbols):
    old, new = " ".join(max_freq_pair), "".join(max_freq_pair)
    symbols += [new]
    return {token.replace(old, new): freq for token, freq in token_freqs.items()}
