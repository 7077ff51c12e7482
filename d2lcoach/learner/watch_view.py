"""One `watch` screen that fits the terminal: when a result is taller than the window, lines are
dropped by priority (the passing rows of the check table first, the verdict and the first failure
last), so that what matters stays on screen without scrolling."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

#: Lines that are never dropped.
MUST = 0
#: The first failure's message, the line that says how to reproduce the run.
FIRST_FAILURE = 1
#: Notes, failing rows of the table, the error line, the count of hidden failures.
USEFUL = 2
#: The other failures, the learner's printed output.
MORE = 3
#: Passing rows and borders of the table, the link, the task's signature.
CONTEXT = 4

HIDDEN = "… {n} line(s) hidden to fit the terminal; press v to see every failing check"


def _plain(line: str) -> str:
    return Text.from_ansi(line).plain


def classify(result_lines: list[str]) -> list[int]:
    """The priority of each line of a rendered check result (see render_result's layout: the table,
    the failures, the learner's output, the verdict)."""
    plain = [_plain(line) for line in result_lines]
    starts = [i for i, text in enumerate(plain) if text.startswith("✗")]
    verdicts = [i for i, text in enumerate(plain) if text.startswith(("PASSED", "NOT YET"))]
    verdict = verdicts[-1] if verdicts else len(plain)
    first_end = next((i for i in range(starts[0] + 1, len(plain)) if not plain[i].startswith(" ")),
                     len(plain)) if starts else -1
    error_block = 2 if plain and plain[0].startswith("FAIL ") else 0  # "FAIL title (file)", the error
    priorities = []
    for i, text in enumerate(plain):
        if i < error_block:
            priorities.append(USEFUL)
        elif i == verdict or (starts and i == starts[0]):
            priorities.append(MUST)
        elif starts and starts[0] < i < first_end:
            priorities.append(FIRST_FAILURE)
        elif i > verdict:
            priorities.append(FIRST_FAILURE)  # "reproduce this exact run with --seed"
        elif (not starts or i < starts[0]) and "FAIL" not in text:
            priorities.append(CONTEXT)  # the table's other rows and borders
        elif text.startswith(("...", "…")) or "FAIL" in text and (not starts or i < starts[0]):
            priorities.append(USEFUL)
        else:
            priorities.append(MORE)
    return priorities


def fit(lines: list[tuple[str, int]], height: int, width: int) -> list[str]:
    """Keep the lines (text, priority) in order, dropping the least important (highest priority
    number, the last first) until they fit in `height` rows of `width` columns, a long line taking
    several rows; one line says how many were hidden."""
    def rows(text: str) -> int:
        return max(1, -(-cell_len(_plain(text)) // max(width, 1)))

    kept = list(range(len(lines)))
    used = sum(rows(text) for text, _ in lines)
    if used <= height:
        return [text for text, _ in lines]
    budget = height - 1  # the line that says what was hidden
    order = sorted(kept, key=lambda i: (-lines[i][1], -i))
    dropped = set()
    for i in order:
        if used <= budget or lines[i][1] == MUST:
            break
        dropped.add(i)
        used -= rows(lines[i][0])
    shown = [i for i in kept if i not in dropped]
    marker = HIDDEN.format(n=len(dropped))
    # The marker goes where the first line was hidden, so it reads in place of what it replaced.
    at = next((pos for pos, i in enumerate(shown) if i > min(dropped)), len(shown)) if dropped else len(shown)
    texts = [lines[i][0] for i in shown]
    if dropped:
        texts.insert(at, marker)
    return texts
