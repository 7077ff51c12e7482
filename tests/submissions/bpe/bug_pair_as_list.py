"""Returns the most frequent pair as a list of two strings, not the tuple the book's dict key is.

expect: fail result type
"""

import collections


def get_max_freq_pair(token_freqs):
    pairs = collections.defaultdict(int)
    for token, freq in token_freqs.items():
        symbols = token.split()
        for i in range(len(symbols) - 1):
            pairs[symbols[i], symbols[i + 1]] += freq
    return list(max(pairs, key=pairs.get))


def merge_symbols(max_freq_pair, token_freqs, symbols):
    symbols.append("".join(max_freq_pair))
    new_token_freqs = dict()
    for token, freq in token_freqs.items():
        new_token = token.replace(" ".join(max_freq_pair), "".join(max_freq_pair))
        new_token_freqs[new_token] = token_freqs[token]
    return new_token_freqs
