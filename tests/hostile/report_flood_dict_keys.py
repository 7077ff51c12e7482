"""Attack (report flood): merge_symbols returns a dict of thousands of long keys, within the
wire's limits. A key mismatch is reported by listing the keys, so every report of the grade (the
feedback, results.json, the gradebook's comments) would carry megabytes of the submission's text.

exercise: bpe
expect: fail
probe: message_size
"""


def get_max_freq_pair(token_freqs):
    return ("x", "y")


def merge_symbols(max_freq_pair, token_freqs, symbols):
    symbols.append("".join(max_freq_pair))
    return {f"{i:06d} " + "flood " * 16: i for i in range(1000)}
