"""Reference solution for beam_search (D2L 10.8): beam search over a next-token table, with the book's length penalty."""


def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    """The best candidate (tokens after bos, eos included if reached) and its score log P / L ** alpha."""
    beams = [([], 0.0)]  # the live sequences: generated tokens, log P
    candidates = []
    for _ in range(max_len):
        extended = [(tokens + [token], log_p + step)
                    for tokens, log_p in beams
                    for token, step in enumerate(step_log_probs[tokens[-1] if tokens else bos])]
        kept = sorted(extended, key=lambda c: (-c[1], c[0]))[:beam_size]
        candidates += kept
        beams = [(tokens, log_p) for tokens, log_p in kept if tokens[-1] != eos]
        if not beams:
            break
    scored = [(log_p / len(tokens) ** alpha, tokens) for tokens, log_p in candidates]
    score, tokens = min(scored, key=lambda c: (-c[0], c[1]))
    return tokens, score
