"""Appends the promoted configurations after the queue instead of in front of it: with a new round already queued, they jump ahead of it.

expect: fail promotion
"""

import collections
import math


class ListSearcher:
    """The configurations of a list, in order, each as a new dict; every reported result kept in history."""

    def __init__(self, configs):
        self.configs = configs
        self.next_index = 0
        self.history = []

    def sample_configuration(self):
        config = dict(self.configs[self.next_index])
        self.next_index += 1
        return config

    def update(self, config, error, additional_info=None):
        self.history.append((config, error, additional_info))


class SuccessiveHalvingScheduler:
    """The book's synchronous successive halving over the rungs r_min * eta ** k, ending at r_max."""

    def __init__(self, searcher, eta, r_min, r_max, prefact=1):
        self.searcher = searcher
        self.eta = eta
        self.r_min = r_min
        self.r_max = r_max
        self.prefact = prefact
        self.K = int(math.log(r_max / r_min) / math.log(eta))
        self.rung_levels = [r_min * eta ** k for k in range(self.K + 1)]
        if r_max not in self.rung_levels:
            self.rung_levels.append(r_max)
            self.K += 1
        self.observed_error_at_rungs = collections.defaultdict(list)
        self.queue = []

    def suggest(self):
        if not self.queue:
            n0 = int(self.prefact * self.eta ** self.K)
            for _ in range(n0):
                config = self.searcher.sample_configuration()
                config["max_epochs"] = self.r_min
                self.queue.append(config)
        return self.queue.pop()

    def update(self, config, error, info=None):
        ri = config["max_epochs"]
        self.searcher.update(config, error, additional_info=info)
        if ri < self.r_max:
            self.observed_error_at_rungs[ri].append((config, error))
            ki = self.K - self.rung_levels.index(ri)
            ni = int(self.prefact * self.eta ** ki)
            if len(self.observed_error_at_rungs[ri]) >= ni:
                kiplus1 = ki - 1
                niplus1 = int(self.prefact * self.eta ** kiplus1)
                best_performing_configurations = self.get_top_n_configurations(rung_level=ri, n=niplus1)
                riplus1 = self.rung_levels[self.K - kiplus1]
                self.queue = self.queue + [dict(config, max_epochs=riplus1)
                                           for config in best_performing_configurations]
                self.observed_error_at_rungs[ri] = []

    def get_top_n_configurations(self, rung_level, n):
        rung = self.observed_error_at_rungs[rung_level]
        sorted_rung = sorted(rung, key=lambda x: x[1])
        return [x[0] for x in sorted_rung[:n]]
