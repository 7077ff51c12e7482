"""A dictionary from each kept prefix (a tuple) to its log P, one per step; the candidates are every
dictionary's keys; explicit loops, no sort key lambdas (tuples compare as the contract asks).

expect: pass
"""


def beam_search(step_log_probs, bos, eos, beam_size, max_len, alpha=0.75):
    kept_per_step = []
    live = {(): 0.0}
    step = 0
    while step < max_len and live:
        scored = []
        for prefix, log_p in live.items():
            last = prefix[-1] if len(prefix) > 0 else bos
            for token, lp in enumerate(step_log_probs[last]):
                scored.append((-(log_p + lp), prefix + (token,)))
        scored.sort()
        kept = {prefix: -neg for neg, prefix in scored[:beam_size]}
        kept_per_step.append(kept)
        live = {p: v for p, v in kept.items() if p[-1] != eos}
        step += 1
    ranking = []
    for kept in kept_per_step:
        for prefix, log_p in kept.items():
            ranking.append((-(log_p / len(prefix) ** alpha), prefix))
    ranking.sort()
    neg_score, prefix = ranking[0]
    return list(prefix), -neg_score
