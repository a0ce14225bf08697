"""How well typed messages are understood: the evaluation set (``data/eval/understanding.tsv``) through the
intents (``data/intents/``).  Prints accuracy, urgent recall, false urgent on everyday phrases, the worst
confusions, and the time to understand one message.

    .venv/bin/python -m bench.understanding
"""

from __future__ import annotations

import collections
import statistics
import sys
import time
from pathlib import Path

from domain.understanding import Understanding, best_intent, load_intents

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    intents, shorthand = load_intents(ROOT / "data" / "intents")
    understanding = Understanding(intents, shorthand)
    name = sys.argv[1] if len(sys.argv) > 1 else "understanding.tsv"  # or understanding_heldout.tsv
    rows = [
        line.rstrip("\n").split("\t")
        for line in (ROOT / "data" / "eval" / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    right, confused, times = 0, collections.Counter[tuple[str, str]](), []
    per_intent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    urgent_total = urgent_caught = idioms = false_urgent = 0
    for wanted, text in rows:
        started = time.perf_counter()
        got = best_intent(understanding.rank(text)) or "other"
        times.append(time.perf_counter() - started)
        per_intent[wanted][1] += 1
        if got == wanted:
            right += 1
            per_intent[wanted][0] += 1
        else:
            confused[(wanted, got)] += 1
        if wanted.startswith("urgent"):
            urgent_total += 1
            urgent_caught += got.startswith("urgent")
        if wanted == "other":
            idioms += 1
            false_urgent += got.startswith("urgent")
    times.sort()
    print(f"phrases: {len(rows)}  accuracy: {right / len(rows):.1%}")
    print(
        f"urgent recall (any crisis kind): {urgent_caught}/{urgent_total}  "
        f"false urgent on other: {false_urgent}/{idioms}"
    )
    print("per intent (right/all):")
    for intent, (good, total) in sorted(per_intent.items()):
        print(f"  {intent:24} {good:3}/{total:<3} {good / total:.0%}")
    print("worst confusions (wanted -> got):")
    for (wanted, got), count in confused.most_common(10):
        print(f"  {count:3}  {wanted} -> {got}")
    print(
        f"time per message: median {statistics.median(times) * 1000:.2f} ms, "
        f"p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
