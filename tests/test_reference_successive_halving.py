"""Check the successive_halving reference (D2L 19.4) against an independent implementation: rungs by integer
arithmetic (no logarithm), a serve-first list instead of the book's pop-from-the-end queue, and a top-n that
picks the smallest error, earliest report first, one at a time; plus the book's example written out."""

from __future__ import annotations

import random

import pytest

from tests.test_reference import ref


def integer_rungs(eta: int, r_min: int, r_max: int) -> list[int]:
    levels = [r_min]
    while levels[-1] * eta <= r_max:
        levels.append(levels[-1] * eta)
    return levels if levels[-1] == r_max else levels + [r_max]


class Oracle:
    """Successive halving from its definition: `serve` holds the suggestions in the order they come out."""

    def __init__(self, configs, eta, r_min, r_max, prefact=1):
        self.configs, self.next = configs, 0
        self.eta, self.r_min, self.r_max, self.prefact = eta, r_min, r_max, prefact
        self.rungs = integer_rungs(eta, r_min, r_max)
        self.waiting = {r: [] for r in self.rungs}
        self.serve = []
        self.history = []

    def size(self, index: int) -> int:
        """How many configurations rung `index` holds in a round."""
        return int(self.prefact * self.eta ** (len(self.rungs) - 1 - index))

    def suggest(self):
        if not self.serve:
            round_ = []
            for _ in range(self.size(0)):
                round_.append({**self.configs[self.next], "max_epochs": self.r_min})
                self.next += 1
            self.serve = round_[::-1]
        return self.serve.pop(0)

    def top(self, rung, n):
        left = list(self.waiting[rung])
        chosen = []
        while left and len(chosen) < n:
            best = 0
            for i in range(1, len(left)):
                if left[i][1] < left[best][1]:
                    best = i
            chosen.append(left.pop(best)[0])
        return chosen

    def update(self, config, error, info=None):
        self.history.append((config, error, info))
        rung = config["max_epochs"]
        if rung == self.r_max:
            return
        self.waiting[rung].append((config, error))
        index = self.rungs.index(rung)
        if len(self.waiting[rung]) == self.size(index):
            promoted = [{**c, "max_epochs": self.rungs[index + 1]} for c in self.top(rung, self.size(index + 1))]
            self.serve += promoted[::-1]
            self.waiting[rung] = []


def _configs(rng, n):
    return [{"id": i, "lr": round(rng.random(), 3)} for i in range(n)]


def _play(make, rng_seed, eta, r_min, r_max, prefact, workers, trials):
    """The same tuner run on a scheduler: returns every output it gave."""
    rng = random.Random(rng_seed)
    scheduler = make()
    out, running, suggested, reported = [], [], 0, 0
    while reported < trials:
        while len(running) < workers and suggested < trials:
            config = scheduler.suggest()
            out.append(("suggest", dict(config)))
            running.append(config)
            suggested += 1
        config = running.pop(rng.randrange(len(running)))
        error = rng.choice([0.1, 0.2, 0.3, 0.5, 0.8])
        scheduler.update(config, error, info=reported if reported % 3 == 0 else None)
        reported += 1
        rung = rng.choice(integer_rungs(eta, r_min, r_max))
        n = rng.randrange(1, 5)
        top = scheduler.top(rung, n) if isinstance(scheduler, Oracle) else \
            scheduler.get_top_n_configurations(rung_level=rung, n=n)
        out.append(("top", rung, n, [dict(c) for c in top]))
    history = scheduler.history if isinstance(scheduler, Oracle) else scheduler.searcher.history
    return out, [(dict(c), e, i) for c, e, i in history]


@pytest.mark.parametrize("eta", [2, 3, 4, 5, 10])
@pytest.mark.parametrize("r_min", [1, 2, 3])
def test_rungs_match_integer_arithmetic(eta, r_min):
    Scheduler, Searcher = ref("successive_halving", "SuccessiveHalvingScheduler"), ref("successive_halving", "ListSearcher")
    for r_max in range(r_min, r_min * eta ** 4 + 2):
        scheduler = Scheduler(Searcher([]), eta, r_min, r_max)
        want = integer_rungs(eta, r_min, r_max)
        assert scheduler.rung_levels == want and all(type(r) is int for r in scheduler.rung_levels), (eta, r_min, r_max)
        assert scheduler.K == len(want) - 1


@pytest.mark.parametrize("seed", range(12))
def test_runs_match_the_oracle(seed):
    Scheduler, Searcher = ref("successive_halving", "SuccessiveHalvingScheduler"), ref("successive_halving", "ListSearcher")
    rng = random.Random(seed)
    eta, r_min = rng.choice([2, 3]), rng.choice([1, 2])
    r_max = r_min * eta ** rng.randrange(1, 4) + rng.choice([0, 0, 1])
    prefact, workers = rng.choice([1, 1.5, 2]), rng.randrange(1, 4)
    trials = 60
    configs = _configs(rng, 400)
    kept = [dict(c) for c in configs]
    got = _play(lambda: Scheduler(Searcher(configs), eta, r_min, r_max, prefact), seed, eta, r_min, r_max, prefact,
                workers, trials)
    want = _play(lambda: Oracle(configs, eta, r_min, r_max, prefact), seed, eta, r_min, r_max, prefact,
                 workers, trials)
    assert got == want
    assert configs == kept  # the searcher hands out copies


def test_book_example_rounds():
    """D2L 19.4's example, eta = 2, r_min = 2, r_max = 10: rounds of 8, 4, 2 and 1 trials at 2, 4, 8, 10 epochs."""
    Scheduler, Searcher = ref("successive_halving", "SuccessiveHalvingScheduler"), ref("successive_halving", "ListSearcher")
    scheduler = Scheduler(Searcher(_configs(random.Random(0), 40)), eta=2, r_min=2, r_max=10)
    epochs = []
    for t in range(30):
        config = scheduler.suggest()
        epochs.append(config["max_epochs"])
        scheduler.update(config, (config["id"] * 7 % 11) / 10)
    assert epochs == ([2] * 8 + [4] * 4 + [8] * 2 + [10]) * 2


def test_ties_keep_the_order_reported():
    Scheduler, Searcher = ref("successive_halving", "SuccessiveHalvingScheduler"), ref("successive_halving", "ListSearcher")
    scheduler = Scheduler(Searcher([{"id": i} for i in range(9)]), eta=3, r_min=1, r_max=9)
    errors = [0.5, 0.2, 0.2, 0.9, 0.2, 0.2, 0.7, 0.1, 0.3]
    ids = []
    for error in errors:
        config = scheduler.suggest()
        ids.append(config["id"])
        scheduler.update(config, error)
    assert ids == [8, 7, 6, 5, 4, 3, 2, 1, 0]
    # 0.1 (id 1), then the first two 0.2 reported (ids 7 and 6); served from the end of the queue.
    assert [scheduler.suggest()["id"] for _ in range(3)] == [6, 7, 1]
