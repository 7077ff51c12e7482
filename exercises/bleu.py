"""Exercise bleu (D2L 10.7): the BLEU score of a predicted sequence against a label sequence."""

import collections
import math


def bleu(pred_seq, label_seq, k):
    """The book's BLEU of one prediction against one label; returns a Python float.

    D2L 10.7, sequence-to-sequence learning (evaluation of predicted sequences):
    https://d2l.ai/chapter_recurrent-modern/seq2seq.html

    pred_seq, label_seq: strings of tokens separated by single spaces ("il est calme .");
    split them with .split(' '). k: the longest n-gram to match.

        score = exp(min(0, 1 - len_label / len_pred))       # brevity penalty
        for n = 1 .. min(k, len_pred):
            p_n = (n-grams of the prediction found in the label, each label n-gram used at
                   most as often as it occurs there) / (len_pred - n + 1)
            score *= p_n ** (0.5 ** n)

    Example from the book: label "A B C D E F", prediction "A B", k = 2: p_1 = p_2 = 1 and the
    score is the brevity penalty exp(1 - 6 / 2), about 0.14.

    Editions: the Chinese second edition and the classic English edition loop n up to k, which
    divides by zero for a prediction shorter than k - 1 tokens; like the English 1.0 edition, stop
    at min(k, len_pred). Forbidden: library BLEU routines (torchtext, torcheval, nltk).
    """
    raise NotImplementedError("bleu: fill in this function")
