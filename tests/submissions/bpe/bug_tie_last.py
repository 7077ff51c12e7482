"""Keeps the last pair with the largest count (>=), not the first.

expect: fail ties
"""

import collections


def get_max_freq_pair(token_freqs):
    pairs = collections.defaultdict(int)
    for token, freq in token_freqs.items():
        symbols = token.split()
        for i in range(len(symbols) - 1):
            pairs[symbols[i], symbols[i + 1]] += freq
    best, best_count = None, -1
    for pair, count in pairs.items():
        if count >= best_count:
            best, best_count = pair, count
    return best


def merge_symbols(max_freq_pair, token_freqs, symbols):
    symbols.append("".join(max_freq_pair))
    new_token_freqs = dict()
    for token, freq in token_freqs.items():
        new_token = token.replace(" ".join(max_freq_pair), "".join(max_freq_pair))
        new_token_freqs[new_token] = token_freqs[token]
    return new_token_freqs
