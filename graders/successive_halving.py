"""Grader for successive_halving (D2L 19.4): the book's successive halving scheduler over a deterministic
ListSearcher, on the `steps` driver. Each case builds `searcher = ListSearcher(configs)` and
`scheduler = SuccessiveHalvingScheduler(searcher=searcher, eta=..., r_min=..., r_max=...)`, then plays the
tuner: `c = scheduler.suggest()` and `scheduler.update(c, error)` in a planned order (one worker in turn, or
several whose results come back in another order), reads `scheduler.K`, `scheduler.rung_levels`,
`get_top_n_configurations` on the way, and at the end the searcher's `history` and the caller's `configs`.

The comparison is exact (ints are not floats, the errors travel unchanged) and stops at a case's first
difference: every later call depends on the state it left. A suggestion that differs fails `first rung`
when the reference's had max_epochs = r_min, `promotion` otherwise; a history that differs from the
reference's only in the max_epochs of configurations reported earlier fails `promotion` (a promoted
configuration was changed in place instead of copied).
"""

from __future__ import annotations

import torch

from d2lcoach.grading.case import Case

SEARCHER = "searcher"
RUNGS = "rungs"
FIRST = "first rung"
PROMOTION = "promotion"
TOP_N = "top n"
REPORTED = "results reach the searcher"

HINTS = {
    SEARCHER: "ListSearcher(configs): sample_configuration returns dict(configs[i]) for i = 0, 1, 2, ... in order "
              "(a new dict each time, so what the scheduler writes into it never reaches the caller's list, "
              "which stays as it was); update(config, error, additional_info=None) appends (config, error, "
              "additional_info) to self.history and returns None",
    RUNGS: "K = int(math.log(r_max / r_min) / math.log(eta)); rung_levels = [r_min * eta ** k for k in "
           "range(K + 1)] (ints); if r_max is not among them, append it and K += 1. The log ratio of an exact "
           "power can come out one short (math.log(1000) / math.log(10) = 2.9999999999999996): the append "
           "puts r_max back (D2L 19.4)",
    FIRST: "when the queue is empty, suggest samples n0 = int(prefact * eta ** K) configurations from the "
           "searcher, sets config['max_epochs'] = r_min on each, appends each to self.queue, and returns "
           "self.queue.pop(): the last one sampled comes first (D2L 19.4)",
    PROMOTION: "update(config, error) at rung ri = config['max_epochs'] < r_max: keep (config, error); once "
               "n_i = int(prefact * eta ** k_i) results are in (k_i = K - rung_levels.index(ri)), take the "
               "int(prefact * eta ** (k_i - 1)) with the lowest errors, put dict(config, max_epochs=r_next) for "
               "each in FRONT of the queue, best first (self.queue = promoted + self.queue), and empty that "
               "rung's list; results at r_max promote nothing (D2L 19.4)",
    TOP_N: "get_top_n_configurations(rung_level, n): the configurations of the results waiting at that rung, "
           "sorted by error with sorted(rung, key=lambda x: x[1]) (stable: equal errors keep the order they "
           "were reported in), the first n of them; [] when none wait there (D2L 19.4)",
    REPORTED: "update passes every result to the searcher first, those at r_max too: "
              "self.searcher.update(config, error, additional_info=info) (D2L 19.4)",
}
_SHOW = 240


# --------------------------------------------------------------------------- the plan of a case

def _rung_levels(eta: int, r_min: int, r_max: int) -> list[int]:
    """The rungs by integer arithmetic (no logarithm): r_min * eta ** k up to r_max, then r_max itself."""
    levels = [r_min]
    while levels[-1] * eta <= r_max:
        levels.append(levels[-1] * eta)
    if levels[-1] != r_max:
        levels.append(r_max)
    return levels


def _first_round(eta, r_min, r_max, prefact) -> int:
    return int(prefact * eta ** (len(_rung_levels(eta, r_min, r_max)) - 1))


def _configs(gen: torch.Generator, n: int) -> list[dict]:
    """n configurations of a learning rate and a batch size, told apart by their id."""
    lrs = torch.rand(n, generator=gen, dtype=torch.float64)
    sizes = torch.randint(32, 257, (n,), generator=gen)
    return [{"id": i, "learning_rate": round(0.01 + float(lrs[i]), 4), "batch_size": int(sizes[i])} for i in range(n)]


def _attribute(target: str, name: str, prop: str) -> dict:
    return {"call": {"ref": target}, "method": "__getattribute__", "args": [name], "property": prop,
            "label": f"{target}.{name}"}


def _setup(eta, r_min, r_max, prefact) -> list[dict]:
    kwargs = {"eta": eta, "r_min": r_min, "r_max": r_max}
    if prefact is not None:
        kwargs["prefact"] = prefact
    text = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return [{"call": "ListSearcher", "args": [{"ref": "configs"}], "save": "searcher", "compare_output": False,
             "label": "searcher = ListSearcher(configs)"},
            {"call": "SuccessiveHalvingScheduler", "kwargs": {"searcher": {"ref": "searcher"}, **kwargs},
             "save": "scheduler", "compare_output": False,
             "label": f"scheduler = SuccessiveHalvingScheduler(searcher=searcher, {text})"}]


def _suggest(t: int) -> dict:
    return {"call": {"ref": "scheduler"}, "method": "suggest", "save": f"c{t}", "property": PROMOTION,
            "suggestion": True, "label": f"c{t} = scheduler.suggest()"}


def _update(t: int, error: float, info=None) -> dict:
    step = {"call": {"ref": "scheduler"}, "method": "update", "args": [{"ref": f"c{t}"}, error],
            "compare_output": False, "label": f"scheduler.update(c{t}, {error!r})"}
    if info is not None:
        step["kwargs"] = {"info": info}
        step["label"] = f"scheduler.update(c{t}, {error!r}, info={info!r})"
    return step


def _top_n(rung_level: int, n: int) -> dict:
    return {"call": {"ref": "scheduler"}, "method": "get_top_n_configurations",
            "kwargs": {"rung_level": rung_level, "n": n}, "property": TOP_N,
            "label": f"scheduler.get_top_n_configurations(rung_level={rung_level}, n={n})"}


def _ending() -> list[dict]:
    return [_attribute("searcher", "history", REPORTED),
            {"call": {"ref": "configs"}, "method": "copy", "property": SEARCHER,
             "label": "configs.copy() (the caller's list, afterwards)"}]


def _case(prop: str, configs: list, steps: list, label: str, requires=()) -> Case:
    spec = {"driver": "steps", "env": {"configs": configs}, "steps": steps}
    named = {s.get("property", prop) for s in steps if s.get("compare_output", True)}
    if any(s.get("suggestion") for s in steps):
        named |= {FIRST, PROMOTION}
    return Case(property=prop, args=(), kind="driver", spec=spec, compare=compare, devices=("cpu",), meta=False,
                checks=tuple(sorted(named - {prop})), hint=HINTS[prop], label=label, requires=requires)


def _rungs_case(eta, r_min, r_max, prefact=None) -> Case:
    steps = _setup(eta, r_min, r_max, prefact) + [_attribute("scheduler", "K", RUNGS),
                                                  _attribute("scheduler", "rung_levels", RUNGS)]
    return _case(RUNGS, [], steps, f"SuccessiveHalvingScheduler(eta={eta}, r_min={r_min}, r_max={r_max}): "
                 "K and rung_levels", requires=(SEARCHER,))


def _first_case(gen, eta, r_min, r_max, prefact=None) -> Case:
    n0 = _first_round(eta, r_min, r_max, 1 if prefact is None else prefact)
    steps = _setup(eta, r_min, r_max, prefact) + [_suggest(t) for t in range(n0 + 1)]
    extra = "" if prefact is None else f", prefact={prefact}"
    return _case(FIRST, _configs(gen, 2 * n0), steps,
                 f"SuccessiveHalvingScheduler(eta={eta}, r_min={r_min}, r_max={r_max}{extra}), then {n0 + 1} "
                 "suggestions and no result", requires=(SEARCHER, RUNGS))


def _loop_case(gen, eta, r_min, r_max, prefact, workers, trials, errors=None, values=None, top_n=(), info_every=0,
               prop=PROMOTION, order=None) -> Case:
    """The tuner with `workers` trials running at once: suggest until each worker has one, then report one
    (the oldest with one worker; `order` or gen picks which otherwise) and suggest again."""
    n0 = _first_round(eta, r_min, r_max, 1 if prefact is None else prefact)
    steps = _setup(eta, r_min, r_max, prefact)
    running, suggested, reported = [], 0, 0
    values = values or [0.1, 0.2, 0.3, 0.35, 0.5, 0.7, 0.8]
    top_n = dict(top_n)
    while reported < trials:
        while len(running) < workers and suggested < trials:
            steps.append(_suggest(suggested))
            running.append(suggested)
            suggested += 1
        pick = 0 if workers == 1 else int(torch.randint(len(running), (), generator=gen))
        t = running.pop(pick)
        error = errors[reported] if errors else values[int(torch.randint(len(values), (), generator=gen))]
        info = {"trial": t} if info_every and reported % info_every == info_every - 1 else None
        steps.append(_update(t, error, info))
        reported += 1
        for rung_level, n in top_n.get(reported, ()):
            steps.append(_top_n(rung_level, n))
    steps += _ending()
    extra = "" if prefact is None else f", prefact={prefact}"
    who = "one worker" if workers == 1 else f"{workers} workers, results in another order"
    return _case(prop, _configs(gen, trials + n0), steps,
                 f"SuccessiveHalvingScheduler(eta={eta}, r_min={r_min}, r_max={r_max}{extra}), {trials} trials, "
                 f"{who}", requires=(SEARCHER, RUNGS))


def _searcher_case(gen) -> Case:
    steps = [{"call": "ListSearcher", "args": [{"ref": "configs"}], "save": "searcher", "compare_output": False,
              "label": "searcher = ListSearcher(configs)"},
             {"call": {"ref": "searcher"}, "method": "sample_configuration", "save": "a", "property": SEARCHER,
              "label": "a = searcher.sample_configuration()"},
             {"call": {"ref": "a"}, "method": "__setitem__", "args": ["max_epochs", 1], "compare_output": False,
              "label": "a['max_epochs'] = 1"},
             {"call": {"ref": "searcher"}, "method": "sample_configuration", "save": "b", "property": SEARCHER,
              "label": "b = searcher.sample_configuration()"},
             {"call": {"ref": "searcher"}, "method": "update", "args": [{"ref": "a"}, 0.5], "property": SEARCHER,
              "label": "searcher.update(a, 0.5)"},
             {"call": {"ref": "searcher"}, "method": "update", "args": [{"ref": "b"}, 0.25],
              "kwargs": {"additional_info": "epoch 2"}, "property": SEARCHER,
              "label": "searcher.update(b, 0.25, additional_info='epoch 2')"},
             {**_attribute("searcher", "history", SEARCHER)},
             {"call": {"ref": "configs"}, "method": "copy", "property": SEARCHER,
              "label": "configs.copy() (the caller's list, afterwards)"},
             {"call": {"ref": "searcher"}, "method": "sample_configuration", "property": SEARCHER,
              "label": "searcher.sample_configuration()"}]
    return _case(SEARCHER, _configs(gen, 4), steps, "ListSearcher over 4 configurations")


# --------------------------------------------------------------------------- the comparison

def _short(x) -> str:
    text = repr(x)
    return text if len(text) <= _SHOW else text[:_SHOW] + "..."


def _difference(want, got, where: str) -> str | None:
    """Where `got` differs from `want`, exactly: ints are not floats, a tuple and a list are alike."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or "__object__" in got:
            return f"{where} should be a dict, got {_kind(got)}"
        if set(got) != set(want):
            return f"{where} has the keys {_short(sorted(map(str, got)))}, expected {_short(sorted(map(str, want)))}"
        for key in want:
            found = _difference(want[key], got[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(want, (list, tuple)):
        if type(got) not in (list, tuple):
            return f"{where} should be a list of {len(want)}, got {_kind(got)}"
        if len(got) != len(want):
            return f"{where} holds {len(got)} items, expected {len(want)}"
        for i, (w, g) in enumerate(zip(want, got)):
            found = _difference(w, g, f"{where}[{i}]")
            if found:
                return found
        return None
    if type(got) is not type(want):
        return f"{where} is {_kind(got)} ({_short(got)}), expected {_kind(want)} ({_short(want)})"
    if got != want:
        return f"{where} is {_short(got)}, expected {_short(want)}"
    return None


def _kind(x) -> str:
    if isinstance(x, dict) and "__object__" in x:
        return f"an object of type {x['__object__']}"
    name = "None" if x is None else type(x).__name__
    return name if x is None else ("an " if name[0] in "aeiou" else "a ") + name


def _r_min(case: Case):
    for step in case.spec["steps"]:
        if step.get("call") == "SuccessiveHalvingScheduler":
            return step["kwargs"]["r_min"]
    return None


def _changed_later(want, got) -> bool:
    """The history matches except for the max_epochs of configurations: changed after they were reported."""
    if type(got) not in (list, tuple) or len(got) != len(want):
        return False
    seen = False
    for w, g in zip(want, got):
        if type(g) not in (list, tuple) or len(g) != len(w) or not isinstance(g[0], dict):
            return False
        if _difference(list(w[1:]), list(g[1:]), "") is not None:
            return False
        if _difference({k: v for k, v in w[0].items() if k != "max_epochs"},
                       {k: v for k, v in g[0].items() if k != "max_epochs"}, "") is not None:
            return False
        seen |= g[0].get("max_epochs") != w[0].get("max_epochs")
    return seen


def _suggestion_property(want, got, r_min) -> tuple[str, str]:
    """`first rung` when both suggestions are a round's first (max_epochs = r_min), `promotion` otherwise."""
    def rung(x):
        return x.get("max_epochs") if isinstance(x, dict) else None
    if rung(want) == r_min and rung(got) == r_min:
        return FIRST, HINTS[FIRST]
    if rung(want) == r_min and rung(got) is not None and rung(got) != r_min:
        return PROMOTION, ("a promoted configuration came before a round that was already queued: the promoted "
                           "go in FRONT of the queue (self.queue = promoted + self.queue), and suggest serves "
                           "from the end with self.queue.pop(); " + HINTS[PROMOTION])
    if rung(want) == r_min:
        return FIRST, HINTS[FIRST]
    return PROMOTION, HINTS[PROMOTION]


def compare(expected, actual, case: Case, device: str) -> list[tuple[str, str]]:
    """Each step's output against the reference's, in order; the first difference is the case's failure."""
    steps = case.spec["steps"]
    if type(actual) is not list or len(actual) != len(expected) or not all(type(r) is dict for r in actual):
        return [(case.property, f"{case.label}: the steps did not come back as the reference's did")]
    for k, (want, got) in enumerate(zip(expected, actual)):
        step = steps[k]
        if not step.get("compare_output", True) or "output" not in want:
            continue
        where = f"{case.label}: step {k + 1} of {len(steps)}, {step['label']}"
        found = _difference(want["output"], got.get("output"), "the result")
        if found is None:
            continue
        prop = step.get("property", case.property)
        hint = HINTS[prop]
        if step.get("suggestion"):
            prop, hint = _suggestion_property(want["output"], got.get("output"), _r_min(case))
        if prop == TOP_N and type(got.get("output")) in (list, tuple) and len(got["output"]) > len(want["output"]):
            hint = ("more results wait at this rung than the reference's: after promoting from a rung, empty its "
                    "list (self.observed_error_at_rungs[ri] = []), so that the next round starts it afresh; "
                    + HINTS[TOP_N])
        if prop == REPORTED and _changed_later(want["output"], got.get("output")):
            prop, hint = PROMOTION, ("a configuration reported earlier has another max_epochs now: a promotion "
                                     "changed it in place. Promote a new dict, dict(config, max_epochs=r_next), "
                                     "as the book does; the reported configuration stays as it was")
        message = (f"{where}: {found}\nExpected: {_short(want['output'])}\nGot:      {_short(got.get('output'))}"
                   f"\nHint: {hint}")
        return [(prop, message)]
    return []


# --------------------------------------------------------------------------- the cases

# One worker, 9 configurations on rung 1: reported c0..c8 (the last sampled, id 8, first). Errors 0.2 four
# times: the top 3 are 0.1 (c7) and the first two 0.2 reported (c1, c2), not the later c4, c5.
_TIES = [0.5, 0.2, 0.2, 0.9, 0.2, 0.2, 0.7, 0.1, 0.3, 0.4, 0.4, 0.6, 0.1, 0.3, 0.3, 0.2, 0.3, 0.3]


def _interleaved(gen) -> Case:
    """Ten suggestions before any result (the tenth opens a second round), then the first round's results:
    its promoted three go in front of the second round's eight, so the next suggestions are the round's."""
    steps = _setup(3, 1, 9, None)
    steps += [_suggest(t) for t in range(10)]
    errors = [0.6, 0.3, 0.8, 0.1, 0.5, 0.9, 0.2, 0.7, 0.4]
    steps += [_update(t, e) for t, e in enumerate(errors)]
    steps += [_suggest(t) for t in range(10, 13)]
    steps += [_top_n(1, 3), _top_n(3, 1)]
    steps += _ending()
    return _case(PROMOTION, _configs(gen, 18), steps, "SuccessiveHalvingScheduler(eta=3, r_min=1, r_max=9): ten "
                 "suggestions, then the first nine results, then three more suggestions", requires=(SEARCHER, RUNGS))


def _random_loop(gen) -> Case:
    eta = 2 + int(torch.randint(2, (), generator=gen))
    r_min = 1 + int(torch.randint(3, (), generator=gen))
    power = 1 + int(torch.randint(2 if eta == 3 else 3, (), generator=gen))
    r_max = r_min * eta ** power + (int(torch.randint(eta, (), generator=gen)) if power < 3 else 0)
    prefact = (None, None, 1.5, 2)[int(torch.randint(4, (), generator=gen))]
    workers = 1 + int(torch.randint(3, (), generator=gen))
    n0 = _first_round(eta, r_min, r_max, 1 if prefact is None else prefact)
    trials = n0 + n0 // 2 + 3 + int(torch.randint(n0, (), generator=gen))
    return _loop_case(gen, eta, r_min, r_max, prefact, workers, trials, info_every=3,
                      top_n={n0 // 2: [(r_min, 2)]})


def make_cases(gen: torch.Generator) -> list[Case]:
    cases = [_searcher_case(gen)]
    # The rungs: exact powers, the book's example (10 is no power of 2), log ratios that round down
    # (1000 with eta = 10, 243 with eta = 3) and one that rounds to the next power (26 with eta = 3).
    for eta, r_min, r_max in ((3, 2, 2), (3, 1, 27), (2, 2, 10), (3, 1, 26), (4, 1, 20), (10, 1, 1000), (3, 1, 243),
                              (5, 2, 250)):
        cases.append(_rungs_case(eta, r_min, r_max))
    eta = 2 + int(torch.randint(3, (), generator=gen))
    r_min = 1 + int(torch.randint(4, (), generator=gen))
    cases.append(_rungs_case(eta, r_min, r_min * eta ** 2 + int(torch.randint(eta * 3, (), generator=gen))))
    # A round: n0 = int(prefact * eta ** K) configurations, served last sampled first; then a new round.
    cases += [_first_case(gen, 3, 1, 9), _first_case(gen, 2, 2, 10), _first_case(gen, 2, 1, 4, prefact=2),
              _first_case(gen, 3, 1, 9, prefact=1.5)]
    cases += [
        _loop_case(gen, 3, 1, 9, None, 1, 18, errors=_TIES, prop=PROMOTION,
                   top_n={5: [(1, 3), (1, 9), (3, 2)], 9: [(1, 3)], 11: [(3, 3)]}),
        _interleaved(gen),
        _loop_case(gen, 3, 1, 9, 1.5, 1, 20, info_every=4),
        # The book's example: eta = 2, r_min = 2, r_max = 10, tuner.run(number_of_trials=30).
        _loop_case(gen, 2, 2, 10, None, 1, 30, info_every=5, top_n={3: [(2, 2)], 10: [(4, 1)]}),
        _loop_case(gen, 3, 1, 9, None, 3, 30, info_every=2, top_n={12: [(1, 4), (3, 2)]}),
    ]
    cases += [_random_loop(gen) for _ in range(3)]
    return cases
