"""The score as exp of a weighted sum of logs: math.log(0) raises when some n-gram never matches.

expect: fail no match
"""

import collections
import math


def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    log_score = min(0, 1 - len_label / len_pred)
    for n in range(1, min(k, len_pred) + 1):
        label_counts = collections.Counter(' '.join(label_tokens[i: i + n]) for i in range(len_label - n + 1))
        pred_counts = collections.Counter(' '.join(pred_tokens[i: i + n]) for i in range(len_pred - n + 1))
        matches = sum(min(c, label_counts[g]) for g, c in pred_counts.items())
        log_score += 0.5 ** n * math.log(matches / (len_pred - n + 1))
    return math.exp(log_score)
