"""Plain loops: K counted by a while loop over powers, a hand-written stable insertion sort, an explicit
index into the searcher's list, the promoted configurations built key by key.

expect: pass
"""


class ListSearcher:
    def __init__(self, configs):
        self.configs = configs
        self.i = 0
        self.history = []

    def sample_configuration(self):
        config = {}
        for key in self.configs[self.i]:
            config[key] = self.configs[self.i][key]
        self.i = self.i + 1
        return config

    def update(self, config, error, additional_info=None):
        self.history.append((config, error, additional_info))


class SuccessiveHalvingScheduler:
    def __init__(self, searcher, eta, r_min, r_max, prefact=1):
        self.searcher = searcher
        self.eta = eta
        self.r_min = r_min
        self.r_max = r_max
        self.prefact = prefact
        K = 0
        while r_min * eta ** (K + 1) <= r_max:
            K += 1
        self.rung_levels = []
        for k in range(K + 1):
            self.rung_levels.append(r_min * eta ** k)
        if self.rung_levels[-1] != r_max:
            self.rung_levels.append(r_max)
            K += 1
        self.K = K
        self.waiting = {}
        for r in self.rung_levels:
            self.waiting[r] = []
        self.queue = []

    def suggest(self):
        if self.queue == []:
            for _ in range(int(self.prefact * self.eta ** self.K)):
                config = self.searcher.sample_configuration()
                config["max_epochs"] = self.r_min
                self.queue.append(config)
        return self.queue.pop(len(self.queue) - 1)

    def update(self, config, error, info=None):
        self.searcher.update(config, error, additional_info=info)
        ri = config["max_epochs"]
        if ri >= self.r_max:
            return
        self.waiting[ri].append((config, error))
        i = self.rung_levels.index(ri)
        if len(self.waiting[ri]) >= int(self.prefact * self.eta ** (self.K - i)):
            promoted = []
            for old in self.get_top_n_configurations(ri, int(self.prefact * self.eta ** (self.K - i - 1))):
                new = {}
                for key in old:
                    new[key] = old[key]
                new["max_epochs"] = self.rung_levels[i + 1]
                promoted.append(new)
            self.queue = promoted + self.queue
            self.waiting[ri] = []

    def get_top_n_configurations(self, rung_level, n):
        ordered = []
        for item in self.waiting.get(rung_level, []):
            j = len(ordered)
            while j > 0 and ordered[j - 1][1] > item[1]:
                j -= 1
            ordered.insert(j, item)
        result = []
        for config, _ in ordered[:n]:
            result.append(config)
        return result
