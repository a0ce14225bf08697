"""WHO ASSIST v3.0: the instrument as data, its skip logic and its scoring, as pure functions.

The instrument's structure (questions, options, points, thresholds) is read from a data file
(``data/instruments/assist_v3.toml``), so another instrument can be added without code.  Answers are a flat
mapping ``"q2:alcohol" -> "weekly"`` (per-substance questions) or ``"q8" -> "recent"`` (single questions).
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GATE_CONFIRM = "q1_confirm"


class Risk(enum.StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Injecting(enum.StrEnum):
    NEVER = "never"
    EARLIER = "earlier"  # injected, but not in the past 3 months
    RECENT = "recent"  # in the past 3 months, once a week or less / fewer than 3 days in a row
    FREQUENT = "frequent"  # in the past 3 months, more than weekly or 3+ days in a row: further assessment


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str  # msgid


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    scale: tuple[Option, ...]
    asked_for: str  # all | ever | recent | once
    text: str  # msgid, may contain {substance}
    points: tuple[int, ...] | None = None
    scored: bool = True
    when: tuple[str, str] | None = None  # (question id, answer id) that must hold for a single question

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.scale if o.id == option_id), None)

    def points_for(self, option_id: str) -> int:
        if self.points is None:
            return 0
        index = [o.id for o in self.scale].index(option_id)
        return self.points[index]


@dataclass(frozen=True, slots=True)
class Substance:
    id: str
    label: str  # msgid: the name with local examples, as the questions use it
    moderate: int  # lowest "moderate" score
    high: int  # lowest "high" score
    skip: frozenset[str] = frozenset()
    name: str = ""  # msgid: the short name a result uses ("Tobacco"); the label when not given

    @property
    def short(self) -> str:
        return self.name or self.label

    def risk(self, score: int) -> Risk:
        if score >= self.high:
            return Risk.HIGH
        if score >= self.moderate:
            return Risk.MODERATE
        return Risk.LOW


@dataclass(frozen=True, slots=True)
class Ask:
    """The next thing to ask: a question, for a substance or once."""

    question: Question
    substance: Substance | None = None

    @property
    def key(self) -> str:
        return answer_key(self.question.id, self.substance.id if self.substance else None)


@dataclass(frozen=True, slots=True)
class SubstanceResult:
    substance: Substance
    score: int
    risk: Risk


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    title: str
    gate: str
    gate_confirm: str  # msgid
    questions: tuple[Question, ...]
    substances: tuple[Substance, ...]
    confirm_scale: tuple[Option, ...] = ()  # the answers to the second-chance question; the gate's if empty

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def substance(self, substance_id: str) -> Substance:
        return next(s for s in self.substances if s.id == substance_id)

    def confirm_question(self) -> Question:
        gate = self.question(self.gate)
        scale = self.confirm_scale or gate.scale
        return Question(GATE_CONFIRM, scale, "once", self.gate_confirm, scored=False)

    def max_score(self, substance: Substance) -> int:
        return sum(
            max(q.points or (0,))
            for q in self.questions
            if q.scored and q.points and q.asked_for in ("ever", "recent") and q.id not in substance.skip
        )


def answer_key(question_id: str, substance_id: str | None = None) -> str:
    return f"{question_id}:{substance_id}" if substance_id else question_id


# ------------------------------------------------------------------------------------------ loading


def parse_instrument(text: str) -> Instrument:
    data = tomllib.loads(text)
    scales = {
        name: tuple(Option(str(o["id"]), str(o["label"])) for o in scale["options"])
        for name, scale in data["scales"].items()
    }
    questions = []
    for raw in data["questions"]:
        scale = scales[raw["scale"]]
        points = tuple(int(p) for p in raw["points"]) if "points" in raw else None
        if points is not None and len(points) != len(scale):
            raise ValueError(f"{raw['id']}: {len(points)} points for {len(scale)} options")
        when = raw.get("when")
        questions.append(
            Question(
                id=str(raw["id"]),
                scale=scale,
                asked_for=str(raw["asked_for"]),
                text=str(raw["text"]),
                points=points,
                scored=bool(raw.get("scored", points is not None)),
                when=(str(when["question"]), str(when["answer"])) if when else None,
            )
        )
        if questions[-1].asked_for not in ("all", "ever", "recent", "once"):
            raise ValueError(f"{raw['id']}: asked_for must be all, ever, recent or once")
    default: Mapping[str, Any] = data.get("defaults", {}).get("thresholds", {})
    substances = []
    for raw in data["substances"]:
        thresholds = {**default, **raw.get("thresholds", {})}
        if not 0 < int(thresholds["moderate"]) < int(thresholds["high"]):
            raise ValueError(f"{raw['id']}: thresholds must satisfy 0 < moderate < high")
        substances.append(
            Substance(
                id=str(raw["id"]),
                label=str(raw["label"]),
                name=str(raw.get("name", "")),
                moderate=int(thresholds["moderate"]),
                high=int(thresholds["high"]),
                skip=frozenset(raw.get("skip", ())),
            )
        )
    instrument = Instrument(
        id=str(data["id"]),
        title=str(data["title"]),
        gate=str(data["gate"]),
        gate_confirm=str(data["gate_confirm"]),
        questions=tuple(questions),
        substances=tuple(substances),
        confirm_scale=scales[str(data["gate_confirm_scale"])] if "gate_confirm_scale" in data else (),
    )
    if instrument.confirm_scale and {o.id for o in instrument.confirm_scale} != {"yes", "no"}:
        raise ValueError("the gate_confirm_scale answers are yes and no")
    instrument.question(instrument.gate)  # the gate must exist
    return instrument


def load_instrument(path: Path) -> Instrument:
    return parse_instrument(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------- skip logic


def ever_used(instrument: Instrument, answers: Mapping[str, str]) -> list[Substance]:
    return [s for s in instrument.substances if answers.get(answer_key(instrument.gate, s.id)) == "yes"]


def used_recently(instrument: Instrument, answers: Mapping[str, str]) -> list[Substance]:
    """Ever used and Q2 answered with anything but "never"."""
    first_frequency = next(q for q in instrument.questions if q.asked_for == "ever")
    return [
        s
        for s in ever_used(instrument, answers)
        if answers.get(answer_key(first_frequency.id, s.id), "never") != "never"
    ]


def _applicable(instrument: Instrument, question: Question, answers: Mapping[str, str]) -> list[Ask]:
    if question.asked_for == "once":
        if question.when and answers.get(question.when[0]) != question.when[1]:
            return []
        return [Ask(question)]
    if question.asked_for == "all":
        targets: list[Substance] = list(instrument.substances)
    elif question.asked_for == "ever":
        targets = ever_used(instrument, answers)
    else:
        targets = used_recently(instrument, answers)
    return [Ask(question, s) for s in targets if question.id not in s.skip]


def next_ask(instrument: Instrument, answers: Mapping[str, str]) -> Ask | None:
    """The next unanswered question, following the WHO order and skip rules; None when done.

    If every gate answer is "no", the person is asked once more ("not even once?"); still no ends the check.
    """
    for question in instrument.questions:
        for ask in _applicable(instrument, question, answers):
            if ask.key not in answers:
                return ask
        if question.id == instrument.gate and not ever_used(instrument, answers):
            if GATE_CONFIRM not in answers:
                return Ask(instrument.confirm_question())
            return None
    return None


# ----------------------------------------------------------------------------------------- scoring


def substance_score(instrument: Instrument, substance: Substance, answers: Mapping[str, str]) -> int:
    """Specific Substance Involvement Score: the points of every scored question that applies."""
    recent = substance in used_recently(instrument, answers)
    total = 0
    for question in instrument.questions:
        if not question.scored or question.asked_for not in ("ever", "recent") or question.id in substance.skip:
            continue
        if question.asked_for == "recent" and not recent:
            continue  # Q3-Q5 only count after use in the past three months
        answer = answers.get(answer_key(question.id, substance.id))
        if answer is not None and question.option(answer) is not None:
            total += question.points_for(answer)
    return total


def results(instrument: Instrument, answers: Mapping[str, str]) -> list[SubstanceResult]:
    """Score and risk level of every substance ever used, in the instrument's order."""
    out = []
    for substance in ever_used(instrument, answers):
        score = substance_score(instrument, substance, answers)
        out.append(SubstanceResult(substance, score, substance.risk(score)))
    return out


def injecting(answers: Mapping[str, str]) -> Injecting:
    ever = answers.get("q8", "no")
    if ever == "earlier":
        return Injecting.EARLIER
    if ever == "recent":
        return Injecting.FREQUENT if answers.get("q8_pattern") == "more_than_weekly" else Injecting.RECENT
    return Injecting.NEVER


class Trend(enum.StrEnum):
    LOWER = "lower"
    SAME = "same"
    HIGHER = "higher"


def compare(before: Mapping[str, int], now: Sequence[SubstanceResult]) -> dict[str, tuple[int, Trend]]:
    """For each substance scored both times: the earlier score and which way it went."""
    out: dict[str, tuple[int, Trend]] = {}
    for result in now:
        earlier = before.get(result.substance.id)
        if earlier is None:
            continue
        trend = Trend.SAME if result.score == earlier else Trend.LOWER if result.score < earlier else Trend.HIGHER
        out[result.substance.id] = (earlier, trend)
    return out


def rescore(instrument: Instrument, scores: Mapping[str, int]) -> list[SubstanceResult]:
    """Results rebuilt from saved scores, in the instrument's order (unknown substances are left out)."""
    out = []
    for substance in instrument.substances:
        score = scores.get(substance.id)
        if isinstance(score, int):
            out.append(SubstanceResult(substance, score, substance.risk(score)))
    return out


# ------------------------------------------------------------------------------------ translation


def instrument_messages(instrument: Instrument) -> list[str]:
    """Every msgid the instrument shows, for the gettext catalog."""
    messages = [instrument.title, instrument.gate_confirm, *(o.label for o in instrument.confirm_scale)]
    for question in instrument.questions:
        messages.append(question.text)
        messages.extend(option.label for option in question.scale)
    messages.extend(substance.label for substance in instrument.substances)
    messages.extend(substance.name for substance in instrument.substances if substance.name)
    return list(dict.fromkeys(messages))


def babel_extract(
    fileobj: Any, keywords: object, comment_tags: object, options: object
) -> list[tuple[int, str, str, list[str]]]:
    """A Babel extraction method for instrument files (see babel.cfg)."""
    instrument = parse_instrument(fileobj.read().decode("utf-8"))
    return [(0, "_", message, []) for message in instrument_messages(instrument)]
