"""In the log domain, guarded: a zero precision returns 0.0 at once; otherwise exp of the weighted
sum of log-precisions plus the log brevity penalty.

expect: pass
"""

import math
from collections import Counter


def bleu(pred_seq, label_seq, k):
    pred, label = pred_seq.split(' '), label_seq.split(' ')
    log_score = min(0.0, 1.0 - len(label) / len(pred))
    for n in range(1, min(k, len(pred)) + 1):
        remaining = Counter(tuple(label[i:i + n]) for i in range(len(label) - n + 1))
        matches = 0
        for i in range(len(pred) - n + 1):
            gram = tuple(pred[i:i + n])
            if remaining[gram]:
                remaining[gram] -= 1
                matches += 1
        if matches == 0:
            return 0.0
        log_score += math.log(matches / (len(pred) - n + 1)) / 2 ** n
    return math.exp(log_score)
