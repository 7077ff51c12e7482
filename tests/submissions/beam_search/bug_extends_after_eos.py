"""A sequence that reached eos is extended like any other and keeps its slot in the beam.

expect: fail end of sequence
"""

def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    beams, candidates = [([], 0.0)], []
    for _ in range(max_len):
        extended = [(tokens + [token], log_p + step) for tokens, log_p in beams
                    for token, step in enumerate(step_log_probs[tokens[-1] if tokens else bos])]
        beams = sorted(extended, key=lambda c: (-c[1], c[0]))[:beam_size]
        candidates += beams
    scored = [(log_p / len(tokens) ** alpha, tokens) for tokens, log_p in candidates]
    score, tokens = min(scored, key=lambda c: (-c[0], c[1]))
    return tokens, score
