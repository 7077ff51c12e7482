"""Rewrites the caller's token_freqs in place and returns it.

expect: fail merge
"""

import collections


def get_max_freq_pair(token_freqs):
    pairs = collections.defaultdict(int)
    for token, freq in token_freqs.items():
        symbols = token.split()
        for i in range(len(symbols) - 1):
            pairs[symbols[i], symbols[i + 1]] += freq
    return max(pairs, key=pairs.get)


def merge_symbols(max_freq_pair, token_freqs, symbols):
    symbols.append("".join(max_freq_pair))
    merged = {token.replace(" ".join(max_freq_pair), "".join(max_freq_pair)): freq
              for token, freq in token_freqs.items()}
    token_freqs.clear()
    token_freqs.update(merged)
    return token_freqs
