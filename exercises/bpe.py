"""Exercise bpe (D2L 15.6): write the two steps of the book's byte-pair encoding, in pure Python."""

import collections


def get_max_freq_pair(token_freqs: dict) -> tuple:
    """Return the most frequent pair of adjacent symbols, as a tuple (left, right).

    D2L 15.6, subword embedding (byte pair encoding):
    https://d2l.ai/chapter_natural-language-processing-pretraining/subword-embedding.html

    What to implement
        token_freqs maps a token, written as its symbols separated by single spaces
        ('t a l l _', later 'tal l _'), to its frequency. Count every pair of adjacent symbols
        (token.split()), adding the token's frequency once per position where the pair occurs
        (in 'a a a' the pair ('a', 'a') occurs twice). Return the pair with the largest total.

    Conventions
        - Ties are broken as the book's max(pairs, key=pairs.get) breaks them: the pair counted
          first wins, in the order of token_freqs, each token left to right.
        - token_freqs is not modified.

    Forbidden
        nothing: pure Python (collections is allowed).
    """
    raise NotImplementedError("get_max_freq_pair: fill in this function")


def merge_symbols(max_freq_pair: tuple, token_freqs: dict, symbols: list) -> dict:
    """Merge the pair in every token; append the new symbol to symbols; return the new token_freqs.

    D2L 15.6, subword embedding (byte pair encoding):
    https://d2l.ai/chapter_natural-language-processing-pretraining/subword-embedding.html

    What to implement
        1. Append ''.join(max_freq_pair) to symbols, in place (the caller's list grows by one).
        2. Return a new dict: for each token, in order, the token with the text
           ' '.join(max_freq_pair) replaced by ''.join(max_freq_pair), with the same frequency.

    Conventions
        - The book's str.replace, exactly: replacing the text 'x y' also merges where the text runs
          into a longer symbol ('ca b' with the pair ('a', 'b') becomes 'cab'). This course grades
          the book's behaviour, not a symbol-by-symbol merge.
        - token_freqs is not modified; the book's loop calls
              max_freq_pair = get_max_freq_pair(token_freqs)
              token_freqs = merge_symbols(max_freq_pair, token_freqs, symbols)
          num_merges times (on the book's example: ('t', 'a'), ('ta', 'l'), ('tal', 'l'), ...).
        - max_freq_pair may arrive as a tuple or a list of two strings.

    Forbidden
        nothing: pure Python (collections is allowed).
    """
    raise NotImplementedError("merge_symbols: fill in this function")
