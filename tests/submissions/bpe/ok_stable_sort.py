"""A stable sort by descending count (the first counted stays first among equals), and the merge
by split and join on the spaced pair.

expect: pass
"""

def get_max_freq_pair(token_freqs):
    counts = {}
    for token, freq in token_freqs.items():
        symbols = token.split(" ")
        for i in range(1, len(symbols)):
            pair = (symbols[i - 1], symbols[i])
            counts[pair] = counts.get(pair, 0) + freq
    return sorted(counts, key=lambda pair: -counts[pair])[0]


def merge_symbols(max_freq_pair, token_freqs, symbols):
    symbols.insert(len(symbols), max_freq_pair[0] + max_freq_pair[1])
    spaced = max_freq_pair[0] + " " + max_freq_pair[1]
    result = {}
    for token in token_freqs:
        result["".join(max_freq_pair).join(token.split(spaced))] = token_freqs[token]
    return result
