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


# A person telling what they are going through (a message the bot hears rather than matches to a button).
STORY = (ROOT / "data" / "eval" / "long_story.txt").read_text(encoding="utf-8").strip()
ROUNDS = 20  # the set is understood this many times over, for steady timings


def main() -> None:
    intents, shorthand = load_intents(ROOT / "data" / "intents")
    understanding = Understanding(intents, shorthand)
    name = sys.argv[1] if len(sys.argv) > 1 else "understanding.tsv"  # or understanding_heldout.tsv
    rows = [
        line.rstrip("\n").split("\t")
        for line in (ROOT / "data" / "eval" / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    got_of = {text: best_intent(understanding.rank(text)) or "other" for _, text in rows}
    report(rows, got_of)
    times = []
    for _ in range(ROUNDS):
        for _, text in rows:
            started = time.perf_counter()
            best_intent(understanding.rank(text))
            times.append(time.perf_counter() - started)
    print(f"time per message ({len(times)} understood): {percentiles(times)}")
    # As long as a message can be (core.text.MAX_INPUT_CHARS): a story told at length, and the worst case, every
    # phrase of the set in one message (so that every phrase's words are there to be looked for).
    for label, long_text in (
        ("a 4,096-character story", ((STORY + " ") * 10)[:4096]),
        ("4,096 characters of the set's phrases", " ".join(text for _, text in rows)[:4096]),
    ):
        long_times = []
        for _ in range(200):
            started = time.perf_counter()
            best_intent(understanding.rank(long_text))
            long_times.append(time.perf_counter() - started)
        print(f"time for {label} (200 understood): {percentiles(long_times)}")


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    return f"median {statistics.median(times) * 1000:.2f} ms, p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms"


def report(rows: list[list[str]], got_of: dict[str, str]) -> None:
    confused = collections.Counter[tuple[str, str]]()
    wanted_count, got_count, right_count = (
        collections.Counter[str](),
        collections.Counter[str](),
        collections.Counter[str](),
    )
    urgent_total = urgent_caught = urgent_kind = idioms = false_urgent = 0
    for wanted, text in rows:
        got = got_of[text]
        wanted_count[wanted] += 1
        got_count[got] += 1
        if got == wanted:
            right_count[wanted] += 1
        else:
            confused[(wanted, got)] += 1
        if wanted.startswith("urgent"):
            urgent_total += 1
            urgent_caught += got.startswith("urgent")
            urgent_kind += got == wanted
        if wanted == "other":
            idioms += 1
            false_urgent += got.startswith("urgent")
    right = sum(right_count.values())
    print(f"phrases: {len(rows)}  accuracy: {right / len(rows):.1%}")
    print(
        f"urgent recall (any crisis kind): {urgent_caught}/{urgent_total}  "
        f"the right kind: {urgent_kind}/{urgent_total}  "
        f"false urgent on other: {false_urgent}/{idioms} ({false_urgent / max(idioms, 1):.1%})"
    )
    print("per intent: recall (right/wanted), precision (right/answered)")
    for intent in sorted(wanted_count):
        good, total, answered = right_count[intent], wanted_count[intent], got_count[intent]
        precision = f"{good / answered:4.0%}" if answered else "   -"
        print(
            f"  {intent:24} recall {good:3}/{total:<3} {good / total:4.0%}   "
            f"precision {good:3}/{answered:<3} {precision}"
        )
    print("worst confusions (wanted -> got):")
    for (wanted, got), count in confused.most_common(10):
        print(f"  {count:3}  {wanted} -> {got}")


if __name__ == "__main__":
    main()
