"""Check the seq-b references (bleu, beam_search, multi_gpu) against independent implementations:
the values the book prints, and the formulas written again another way."""

from __future__ import annotations

import collections
import math
import random

import pytest
import torch

from tests.test_reference import SEEDS, ref

# ----------------------------------------------------------------------------- bleu


@pytest.mark.parametrize("pred, label, k, printed", [
    ("A B", "A B C D E F", 2, 0.14),                       # D2L 10.7's text: exp(1 - 6/2)
    ("va !", "va !", 2, 1.000),                             # the Chinese second edition's printed translations
    ("j'ai perdu .", "j'ai perdu .", 2, 1.000),
    ("il est riche .", "il est calme .", 2, 0.658),
    ("je suis en retard ?", "je suis chez moi .", 2, 0.447),
])
def test_bleu_prints_the_books_values(pred, label, k, printed):
    assert round(ref("bleu")(pred, label, k), 3 if printed != 0.14 else 2) == printed


def _modified_precision_bleu(pred, label, k):
    """Papineni et al.'s clipped counts, min(count in prediction, count in label), with the book's weights."""
    pred, label = pred.split(" "), label.split(" ")
    log_score = min(0.0, 1.0 - len(label) / len(pred))
    for n in range(1, min(k, len(pred)) + 1):
        want = collections.Counter(tuple(label[i:i + n]) for i in range(len(label) - n + 1))
        have = collections.Counter(tuple(pred[i:i + n]) for i in range(len(pred) - n + 1))
        clipped = sum(min(c, want[g]) for g, c in have.items())
        if clipped == 0:
            return 0.0
        log_score += 0.5 ** n * math.log(clipped / (len(pred) - n + 1))
    return math.exp(log_score)


@pytest.mark.parametrize("seed", SEEDS)
def test_bleu_matches_clipped_counts_on_random_strings(seed):
    rng = random.Random(seed)
    for _ in range(50):
        pred = " ".join(rng.choice("abcd") for _ in range(rng.randint(1, 9)))
        label = " ".join(rng.choice("abcd") for _ in range(rng.randint(1, 9)))
        k = rng.randint(1, 5)
        assert ref("bleu")(pred, label, k) == pytest.approx(_modified_precision_bleu(pred, label, k), rel=1e-12)

# ----------------------------------------------------------------------------- beam_search

BOS, EOS = 0, 1


def _random_model(rng, vocab):
    rows = []
    for _ in range(vocab):
        logits = [rng.gauss(0, 1.5) for _ in range(vocab)]
        log_z = math.log(sum(math.exp(x) for x in logits))
        rows.append([x - log_z for x in logits])
    return rows


def _every_sequence(model, max_len):
    """Exhaustive search: every sequence of 1 .. max_len tokens that has no eos before its end."""
    frontier = [((), 0.0)]
    for _ in range(max_len):
        frontier = [(seq + (t,), lp + model[seq[-1] if seq else BOS][t])
                    for seq, lp in frontier if not seq or seq[-1] != EOS for t in range(len(model))]
        yield from frontier


@pytest.mark.parametrize("seed", SEEDS)
def test_beam_search_with_a_wide_beam_is_exhaustive_search(seed):
    rng = random.Random(seed)
    for _ in range(10):
        vocab, max_len, alpha = rng.randint(2, 4), rng.randint(1, 4), rng.choice([0.0, 0.75, 1.0, 2.0])
        model = _random_model(rng, vocab)
        best = max(_every_sequence(model, max_len), key=lambda c: c[1] / len(c[0]) ** alpha)
        tokens, score = ref("beam_search")(model, BOS, EOS, vocab ** max_len, max_len, alpha)
        assert tokens == list(best[0]) and score == pytest.approx(best[1] / len(best[0]) ** alpha, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_beam_search_of_width_one_is_greedy_search(seed):
    """Greedy search, written as the book's loop: the argmax token at each step until eos or max_len;
    the answer is the best-scoring prefix of that path."""
    rng = random.Random(seed)
    for _ in range(10):
        vocab, max_len = rng.randint(2, 5), rng.randint(1, 6)
        model = _random_model(rng, vocab)
        path, log_p, prefixes = [], 0.0, []
        for _ in range(max_len):
            row = model[path[-1] if path else BOS]
            token = max(range(vocab), key=row.__getitem__)
            path, log_p = path + [token], log_p + row[token]
            prefixes.append((list(path), log_p / len(path) ** 0.75))
            if token == EOS:
                break
        assert ref("beam_search")(model, BOS, EOS, 1, max_len) == max(prefixes, key=lambda c: c[1])


def test_beam_search_keeps_the_books_six_candidates():
    """D2L 10.8's figure: beam 2, tokens A..E: step 1 keeps A and C, step 2 AB and CE, step 3 ABD and CED."""
    A, B, C, D, E = 2, 3, 4, 5, 6
    low = -20.0
    model = [[low] * 7 for _ in range(7)]
    model[BOS][A], model[BOS][C] = -0.5, -0.7
    model[A][B], model[C][E] = -0.4, -0.3
    model[B][D], model[E][D] = -0.6, -0.9
    kept = {(A,): -0.5, (C,): -0.7, (A, B): -0.9, (C, E): -1.0, (A, B, D): -1.5, (C, E, D): -1.9}
    for alpha in (0.0, 0.75, 3.0):
        best = max(kept, key=lambda s: kept[s] / len(s) ** alpha)
        tokens, score = ref("beam_search")(model, BOS, EOS, 2, 3, alpha)
        assert tokens == list(best) and score == pytest.approx(kept[best] / len(best) ** alpha)

# ----------------------------------------------------------------------------- multi_gpu


@pytest.mark.parametrize("n, k", [(4, 1), (6, 2), (7, 3), (10, 4), (9, 3)])
def test_split_batch_cuts_consecutive_chunks_of_ceil_size(n, k):
    X, y = torch.randn(n, 3), torch.arange(n)
    X_shards, y_shards = ref("multi_gpu", "split_batch")(X, y, ["cpu"] * k)
    size = -(-n // k)
    assert [len(s) for s in y_shards] == [min(size, n - i * size) for i in range(k)]
    assert torch.equal(torch.cat(X_shards), X) and torch.equal(torch.cat(y_shards), y)


@pytest.mark.parametrize("seed", SEEDS)
def test_allreduce_leaves_the_sum_in_every_tensor_in_place(seed):
    g = torch.Generator().manual_seed(seed)
    data = [torch.randn(3, 4, generator=g, dtype=torch.float64) for _ in range(seed + 2)]
    want, ids = torch.stack(data).sum(dim=0), [id(t) for t in data]
    ref("multi_gpu", "allreduce")(data)
    assert [id(t) for t in data] == ids
    for t in data:
        torch.testing.assert_close(t, want)


@pytest.mark.cuda
def test_split_batch_matches_nn_parallel_scatter_on_cuda():
    devices = [torch.device("cuda:0")] * 3
    X, y = torch.randn(7, 2, device="cuda"), torch.arange(7, device="cuda")
    X_shards, y_shards = ref("multi_gpu", "split_batch")(X, y, devices)
    for got, want in zip(X_shards + y_shards, torch.nn.parallel.scatter(X, devices) + torch.nn.parallel.scatter(y, devices)):
        assert got.device == want.device and torch.equal(got, want)


@pytest.mark.cuda
def test_allreduce_across_cuda_and_cpu_matches_reduce_add():
    data = [torch.randn(5, device="cuda"), torch.randn(5), torch.randn(5, device="cuda")]
    want = torch.cuda.comm.reduce_add([t.cuda() for t in data], destination=0)
    ref("multi_gpu", "allreduce")(data)
    assert [t.device.type for t in data] == ["cuda", "cpu", "cuda"]
    for t in data:
        torch.testing.assert_close(t.cuda(), want)
