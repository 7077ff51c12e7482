"""Exercise beam_search (D2L 10.8): beam search with the book's length penalty over a small language model."""


def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    """Beam search over a bigram model; returns (tokens, score) of the best candidate.

    D2L 10.8, beam search: https://d2l.ai/chapter_recurrent-modern/beam-search.html
    The book describes beam search in words only, so the exact rules are the course's:

    step_log_probs[last][token]: log P(token | last), a list of lists; the first step reads
        step_log_probs[bos]. Tokens are 0 .. len(step_log_probs) - 1.
    At each of at most max_len steps: extend every live sequence by every token, and keep the
        beam_size extensions with the highest log P (summed log-probabilities) over all of them.
        A kept sequence ending in eos is finished and not extended again; stop early when none
        is live.
    Candidates: every sequence kept at every step, those ending in eos included.
    Score: log P / L ** alpha, L = the number of tokens after bos (eos counts).
    Return (tokens, score): tokens a list of ints without bos, score a Python float.
    Ties: rank by (-log P, tokens) when keeping and by (-score, tokens) when choosing (the
        smaller token list wins). beam_size = 1 follows greedy search's path.

    Forbidden: nothing; torch has no beam search of its own, and plain Python lists are enough.
    """
    raise NotImplementedError("beam_search: fill in this function")
