"""Finished sequences (ending in eos) stay in the beam and compete with the live extensions for its
beam_size slots, so a likely finished sequence crowds out a live one that would have scored better.

expect: fail end of sequence
"""

def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    beam, candidates = [([], 0.0)], []
    for _ in range(max_len):
        if all(tokens and tokens[-1] == eos for tokens, _ in beam):
            break
        extended = []
        for tokens, log_p in beam:
            if tokens and tokens[-1] == eos:
                extended.append((tokens, log_p))  # carried along, not extended
                continue
            for token, step in enumerate(step_log_probs[tokens[-1] if tokens else bos]):
                extended.append((tokens + [token], log_p + step))
        beam = sorted(extended, key=lambda c: (-c[1], c[0]))[:beam_size]
        candidates += [c for c in beam if c not in candidates]
    scored = [(log_p / len(tokens) ** alpha, tokens) for tokens, log_p in candidates]
    score, tokens = min(scored, key=lambda c: (-c[0], c[1]))
    return tokens, score
