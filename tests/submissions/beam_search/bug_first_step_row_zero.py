"""The first step reads row 0 of step_log_probs instead of row bos (right whenever bos is 0).

expect: fail values
"""

def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    beams, candidates = [([], 0.0)], []
    for _ in range(max_len):
        extended = [(tokens + [token], log_p + step) for tokens, log_p in beams
                    for token, step in enumerate(step_log_probs[tokens[-1] if tokens else 0])]
        kept = sorted(extended, key=lambda c: (-c[1], c[0]))[:beam_size]
        candidates += kept
        beams = [c for c in kept if c[0][-1] != eos]
        if not beams:
            break
    scored = [(log_p / len(tokens) ** alpha, tokens) for tokens, log_p in candidates]
    score, tokens = min(scored, key=lambda c: (-c[0], c[1]))
    return tokens, score
