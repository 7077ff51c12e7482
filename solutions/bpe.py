"""Reference solution for bpe (D2L 15.6): the book's byte-pair encoding merges, get_max_freq_pair and merge_symbols."""

import collections


def get_max_freq_pair(token_freqs: dict) -> tuple:
    """The pair of adjacent symbols with the largest total frequency; ties go to the pair seen first."""
    pairs = collections.defaultdict(int)
    for token, freq in token_freqs.items():
        symbols = token.split()
        for i in range(len(symbols) - 1):
            pairs[symbols[i], symbols[i + 1]] += freq
    return max(pairs, key=pairs.get)


def merge_symbols(max_freq_pair: tuple, token_freqs: dict, symbols: list) -> dict:
    """Append the merged symbol to `symbols` (in place) and return a new dict in which every token has
    the text 'x y' replaced by 'xy', as the book's str.replace does."""
    symbols.append(''.join(max_freq_pair))
    new_token_freqs = dict()
    for token, freq in token_freqs.items():
        new_token = token.replace(' '.join(max_freq_pair), ''.join(max_freq_pair))
        new_token_freqs[new_token] = token_freqs[token]
    return new_token_freqs
