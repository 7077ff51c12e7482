"""Merges symbol by symbol (a correct BPE), not with the book's str.replace: 'ca b' stays 'ca b'.

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
    left, right = max_freq_pair
    symbols.append(left + right)
    new_token_freqs = {}
    for token, freq in token_freqs.items():
        parts, out, i = token.split(), [], 0
        while i < len(parts):
            if i + 1 < len(parts) and parts[i] == left and parts[i + 1] == right:
                out.append(left + right)
                i += 2
            else:
                out.append(parts[i])
                i += 1
        new_token_freqs[" ".join(out)] = freq
    return new_token_freqs
