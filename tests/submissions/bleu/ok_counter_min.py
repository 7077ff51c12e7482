"""Clipping as the textbook formula: sum over the prediction's n-grams of min(count in prediction,
count in label), with collections.Counter and zip over shifted token lists.

expect: pass
"""

import collections
import math


def ngrams(tokens, n):
    return collections.Counter(zip(*(tokens[i:] for i in range(n))))


def bleu(pred_seq, label_seq, k):
    pred, label = pred_seq.split(' '), label_seq.split(' ')
    score = math.exp(min(0.0, 1.0 - len(label) / len(pred)))
    for n in range(1, min(k, len(pred)) + 1):
        pred_counts, label_counts = ngrams(pred, n), ngrams(label, n)
        clipped = sum(min(count, label_counts[gram]) for gram, count in pred_counts.items())
        score *= (clipped / (len(pred) - n + 1)) ** (0.5 ** n)
    return score
