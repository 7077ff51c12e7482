"""Integer rungs (multiply while within r_max, no logarithm), an iterator in the searcher, a dict of
pending results keyed by rung index, a sort on (error, arrival) pairs, private helpers, insert at 0.

expect: pass
"""

import itertools


def _rungs(eta, r_min, r_max):
    levels = [r_min]
    while levels[-1] * eta <= r_max:
        levels.append(levels[-1] * eta)
    if levels[-1] != r_max:
        levels.append(r_max)
    return levels


class ListSearcher:
    def __init__(self, configs):
        self._source = iter(configs)
        self.history = []

    def sample_configuration(self):
        return {**next(self._source)}

    def update(self, config, error, additional_info=None):
        self.history += [(config, error, additional_info)]


class SuccessiveHalvingScheduler:
    def __init__(self, searcher, eta, r_min, r_max, prefact=1):
        self.searcher = searcher
        self.eta = eta
        self.r_min = r_min
        self.r_max = r_max
        self.prefact = prefact
        self.rung_levels = _rungs(eta, r_min, r_max)
        self.K = len(self.rung_levels) - 1
        self._pending = {index: [] for index in range(len(self.rung_levels))}
        self.queue = []

    def _count(self, k):
        return int(self.prefact * self.eta ** k)

    def suggest(self):
        if len(self.queue) < 1:
            for _ in itertools.repeat(None, self._count(self.K)):
                fresh = self.searcher.sample_configuration()
                fresh.update(max_epochs=self.r_min)
                self.queue.append(fresh)
        last = self.queue[-1]
        del self.queue[-1]
        return last

    def update(self, config, error, info=None):
        self.searcher.update(config, error, additional_info=info)
        if config["max_epochs"] == self.r_max:
            return None
        index = self.rung_levels.index(config["max_epochs"])
        self._pending[index].append((config, error))
        if len(self._pending[index]) == self._count(self.K - index):
            best = self.get_top_n_configurations(self.rung_levels[index], self._count(self.K - index - 1))
            for position, chosen in enumerate(best):
                self.queue.insert(position, {**chosen, "max_epochs": self.rung_levels[index + 1]})
            self._pending[index] = []
        return None

    def get_top_n_configurations(self, rung_level, n):
        waiting = self._pending[self.rung_levels.index(rung_level)]
        order = sorted(range(len(waiting)), key=lambda i: (waiting[i][1], i))
        return [waiting[i][0] for i in order[:n]]
