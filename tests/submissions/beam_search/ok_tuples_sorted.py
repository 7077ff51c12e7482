"""Beams as tuples, the beam chosen by sorting on (-log P, tokens), the winner with min on
(-score, tokens); finished sequences kept apart from the live ones.

expect: pass
"""


def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    live = [((), 0.0)]
    seen = []
    for _ in range(max_len):
        options = []
        for seq, lp in live:
            row = step_log_probs[seq[-1] if seq else bos]
            options.extend((seq + (tok,), lp + row[tok]) for tok in range(len(row)))
        best = sorted(options, key=lambda o: (-o[1], o[0]))[:beam_size]
        seen.extend(best)
        live = [o for o in best if o[0][-1] != eos]
        if not live:
            break
    seq, lp = min(seen, key=lambda o: (-(o[1] / len(o[0]) ** alpha), o[0]))
    return list(seq), lp / len(seq) ** alpha
