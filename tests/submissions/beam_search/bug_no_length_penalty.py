"""The final score is log P alone: the shortest candidate nearly always wins.

expect: fail length penalty
"""

def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    beams, candidates = [([], 0.0)], []
    for _ in range(max_len):
        extended = [(tokens + [token], log_p + step) for tokens, log_p in beams
                    for token, step in enumerate(step_log_probs[tokens[-1] if tokens else bos])]
        kept = sorted(extended, key=lambda c: (-c[1], c[0]))[:beam_size]
        candidates += kept
        beams = [c for c in kept if c[0][-1] != eos]
        if not beams:
            break
    best = min(candidates, key=lambda c: (-c[1], c[0]))
    return best[0], best[1]
