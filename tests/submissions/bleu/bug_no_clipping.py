"""Every prediction n-gram found in the label counts, however often: 'the the the the' scores p_1 = 1.

expect: fail clipped matches
"""

import math


def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, min(k, len_pred) + 1):
        label_subs = {' '.join(label_tokens[i: i + n]) for i in range(len_label - n + 1)}
        num_matches = sum(' '.join(pred_tokens[i: i + n]) in label_subs for i in range(len_pred - n + 1))
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score
