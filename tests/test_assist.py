"""WHO ASSIST v3.0 scoring: every cell of the manual's tables, every threshold edge, the skip rules, and
properties (bounds, monotonicity).  The expected values are the manual's, written here independently of
the data file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.assist import (
    GATE_CONFIRM,
    Injecting,
    Risk,
    Trend,
    answer_key,
    compare,
    injecting,
    load_instrument,
    next_ask,
    rescore,
    results,
    substance_score,
)

ROOT = Path(__file__).resolve().parent.parent
ASSIST = load_instrument(ROOT / "data" / "instruments" / "assist_v3.toml")
SUBSTANCES = [
    "tobacco", "alcohol", "cannabis", "cocaine", "stimulants", "inhalants", "sedatives", "hallucinogens", "opioids",
    "other",
]  # fmt: skip
FREQUENCY = ["never", "once", "monthly", "weekly", "daily"]
RECENCY = ["no", "recent", "earlier"]
MANUAL_FREQUENCY_POINTS = {
    "q2": [0, 2, 3, 4, 6],
    "q3": [0, 3, 4, 5, 6],
    "q4": [0, 4, 5, 6, 7],
    "q5": [0, 5, 6, 7, 8],
}
MANUAL_RECENCY_POINTS = {"q6": [0, 6, 3], "q7": [0, 6, 3], "q8": [0, 2, 1]}


def only(substance: str, **answers: str) -> dict[str, str]:
    """Answers for someone who used one substance; all other substances "no" at the gate."""
    out = {answer_key("q1", s): ("yes" if s == substance else "no") for s in SUBSTANCES}
    out.update({answer_key(q, substance): a for q, a in answers.items()})
    return out


def test_substances_in_the_manuals_order() -> None:
    assert [s.id for s in ASSIST.substances] == SUBSTANCES


@pytest.mark.parametrize("question", sorted(MANUAL_FREQUENCY_POINTS))
@pytest.mark.parametrize("index", range(5))
def test_every_frequency_cell(question: str, index: int) -> None:
    answer = FREQUENCY[index]
    # Q3-Q5 count only after some use in the past 3 months: hold Q2 at "once" (2 points) for them.
    answers = only("cannabis", q2=answer) if question == "q2" else only("cannabis", q2="once", **{question: answer})
    expected = MANUAL_FREQUENCY_POINTS[question][index] + (0 if question == "q2" else 2)
    assert substance_score(ASSIST, ASSIST.substance("cannabis"), answers) == expected


@pytest.mark.parametrize("question", ["q6", "q7"])
@pytest.mark.parametrize("index", range(3))
def test_every_concern_and_control_cell(question: str, index: int) -> None:
    answers = only("alcohol", q2="never", **{question: RECENCY[index]})
    assert substance_score(ASSIST, ASSIST.substance("alcohol"), answers) == MANUAL_RECENCY_POINTS[question][index]


@pytest.mark.parametrize("index", range(3))
def test_injecting_is_asked_with_the_manuals_options_and_never_scored(index: int) -> None:
    q8 = ASSIST.question("q8")
    assert [o.id for o in q8.scale] == RECENCY
    assert q8.scored is False
    answers = only("opioids", q2="never", q6="no", q7="no") | {"q8": RECENCY[index]}
    assert substance_score(ASSIST, ASSIST.substance("opioids"), answers) == 0


def test_points_in_the_data_file_are_the_manuals() -> None:
    for question, points in (MANUAL_FREQUENCY_POINTS | MANUAL_RECENCY_POINTS).items():
        if question == "q8":
            continue
        assert list(ASSIST.question(question).points or ()) == points, question


@pytest.mark.parametrize(
    ("substance", "score", "risk"),
    [
        ("alcohol", 0, Risk.LOW), ("alcohol", 10, Risk.LOW), ("alcohol", 11, Risk.MODERATE),
        ("alcohol", 26, Risk.MODERATE), ("alcohol", 27, Risk.HIGH), ("alcohol", 39, Risk.HIGH),
        *[(s, 3, Risk.LOW) for s in SUBSTANCES if s != "alcohol"],
        *[(s, 4, Risk.MODERATE) for s in SUBSTANCES if s != "alcohol"],
        *[(s, 26, Risk.MODERATE) for s in SUBSTANCES if s != "alcohol"],
        *[(s, 27, Risk.HIGH) for s in SUBSTANCES if s != "alcohol"],
        ("tobacco", 0, Risk.LOW), ("tobacco", 31, Risk.HIGH),
    ],
)  # fmt: skip
def test_risk_thresholds(substance: str, score: int, risk: Risk) -> None:
    assert ASSIST.substance(substance).risk(score) is risk


def test_maximum_scores() -> None:
    assert ASSIST.max_score(ASSIST.substance("tobacco")) == 31
    for s in SUBSTANCES[1:]:
        assert ASSIST.max_score(ASSIST.substance(s)) == 39


def test_worked_profiles() -> None:
    daily_heroin = only("opioids", q2="daily", q3="daily", q4="weekly", q5="monthly", q6="recent", q7="earlier")
    assert [(r.substance.id, r.score, r.risk) for r in results(ASSIST, daily_heroin)] == [
        ("opioids", 6 + 6 + 6 + 6 + 6 + 3, Risk.HIGH)
    ]
    weekend_drinker = only("alcohol", q2="weekly", q3="monthly", q4="never", q5="never", q6="earlier", q7="no")
    assert [(r.score, r.risk) for r in results(ASSIST, weekend_drinker)] == [(4 + 4 + 3, Risk.MODERATE)]
    past_smoker = only("tobacco", q2="never", q6="earlier", q7="no")
    assert [(r.score, r.risk) for r in results(ASSIST, past_smoker)] == [(3, Risk.LOW)]


def test_urge_problems_and_duties_do_not_count_without_recent_use() -> None:
    answers = only("cocaine", q2="never", q3="daily", q4="daily", q5="daily", q6="no", q7="no")
    assert substance_score(ASSIST, ASSIST.substance("cocaine"), answers) == 0


def test_never_in_the_past_three_months_can_reach_moderate_but_never_high() -> None:
    answers = only("stimulants", q2="never", q6="recent", q7="recent")
    (result,) = results(ASSIST, answers)
    assert (result.score, result.risk) == (12, Risk.MODERATE)


# ------------------------------------------------------------------------------------------ skip logic


def walk(answer_for: dict[str, str], default: str = "never") -> list[str]:
    """Run the skip logic to the end, answering from ``answer_for`` (by key), returning the keys asked."""
    answers: dict[str, str] = {}
    asked = []
    while (ask := next_ask(ASSIST, answers)) is not None:
        asked.append(ask.key)
        options = [o.id for o in ask.question.scale]
        answer = answer_for.get(
            ask.key, default if default in options else options[-1 if ask.question.id == "q1" else 0]
        )
        if ask.key == GATE_CONFIRM and answer == "yes":
            answers = {GATE_CONFIRM: "yes"}
            continue
        answers[ask.key] = answer
    return asked


def test_gate_asks_every_substance_then_only_used_ones() -> None:
    asked = walk({"q1:alcohol": "yes", "q1:opioids": "yes", "q2:alcohol": "weekly", "q2:opioids": "never"}, "no")
    gate = [k for k in asked if k.startswith("q1:")]
    assert gate == [f"q1:{s}" for s in SUBSTANCES]
    rest = [k for k in asked if not k.startswith("q1:")]
    assert rest == [
        "q2:alcohol", "q2:opioids",
        "q3:alcohol", "q4:alcohol", "q5:alcohol",  # Q3-Q5 only for use in the past 3 months
        "q6:alcohol", "q6:opioids", "q7:alcohol", "q7:opioids",  # Q6-Q7 for every substance ever used
        "q8",  # once
    ]  # fmt: skip


def test_tobacco_is_never_asked_q5() -> None:
    asked = walk({"q1:tobacco": "yes", "q2:tobacco": "daily"}, "no")
    assert "q3:tobacco" in asked and "q4:tobacco" in asked and "q5:tobacco" not in asked


def test_all_no_is_confirmed_once_then_ends() -> None:
    asked = walk({GATE_CONFIRM: "no"}, "no")
    assert asked == [f"q1:{s}" for s in SUBSTANCES] + [GATE_CONFIRM]


def test_a_yes_on_confirmation_asks_the_gate_again_and_not_twice() -> None:
    asked = walk({GATE_CONFIRM: "yes"}, "no")
    assert asked.count(GATE_CONFIRM) == 1
    assert asked == [f"q1:{s}" for s in SUBSTANCES] + [GATE_CONFIRM] + [f"q1:{s}" for s in SUBSTANCES]


def test_injecting_pattern_only_after_recent_injecting() -> None:
    base = {"q1:opioids": "yes", "q2:opioids": "never"}
    assert "q8_pattern" not in walk(base | {"q8": "earlier"}, "no")
    assert "q8_pattern" in walk(base | {"q8": "recent"}, "no")
    assert injecting({"q8": "no"}) is Injecting.NEVER
    assert injecting({"q8": "earlier"}) is Injecting.EARLIER
    assert injecting({"q8": "recent", "q8_pattern": "weekly_or_less"}) is Injecting.RECENT
    assert injecting({"q8": "recent", "q8_pattern": "more_than_weekly"}) is Injecting.FREQUENT


# ----------------------------------------------------------------------------------------- properties

FREQ = st.sampled_from(FREQUENCY)
REC = st.sampled_from(RECENCY)


@st.composite
def profiles(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    substance = draw(st.sampled_from(SUBSTANCES))
    answers = {"q2": draw(FREQ), "q3": draw(FREQ), "q4": draw(FREQ), "q5": draw(FREQ), "q6": draw(REC), "q7": draw(REC)}
    return substance, answers


@given(profiles())
def test_scores_stay_within_the_manuals_bounds(profile: tuple[str, dict[str, str]]) -> None:
    substance, raw = profile
    score = substance_score(ASSIST, ASSIST.substance(substance), only(substance, **raw))
    assert 0 <= score <= (31 if substance == "tobacco" else 39)


# "Raising" an answer: frequency never < once < ... < daily; concern/control no < earlier < recent.
RAISE = {"frequency": FREQUENCY, "recency": ["no", "earlier", "recent"]}


@given(profiles(), st.sampled_from(["q2", "q3", "q4", "q5", "q6", "q7"]))
def test_raising_any_answer_never_lowers_the_score(profile: tuple[str, dict[str, str]], question: str) -> None:
    substance, raw = profile
    order = RAISE["frequency" if question in MANUAL_FREQUENCY_POINTS else "recency"]
    before = substance_score(ASSIST, ASSIST.substance(substance), only(substance, **raw))
    position = order.index(raw[question])
    for higher in order[position + 1 :]:
        raised = substance_score(ASSIST, ASSIST.substance(substance), only(substance, **(raw | {question: higher})))
        assert raised >= before


def test_rescore_rebuilds_levels_in_instrument_order_and_drops_unknown_substances() -> None:
    rebuilt = rescore(ASSIST, {"opioids": 27, "alcohol": 10, "unknown": 5, "cannabis": "x"})  # type: ignore[dict-item]
    assert [(r.substance.id, r.score, r.risk) for r in rebuilt] == [
        ("alcohol", 10, Risk.LOW),
        ("opioids", 27, Risk.HIGH),
    ]


def test_compare_names_the_direction_for_substances_scored_both_times() -> None:
    now = rescore(ASSIST, {"alcohol": 11, "cannabis": 4, "opioids": 30})
    assert compare({"alcohol": 15, "cannabis": 4, "tobacco": 2, "opioids": 12}, now) == {
        "alcohol": (15, Trend.LOWER),
        "cannabis": (4, Trend.SAME),
        "opioids": (12, Trend.HIGHER),
    }
    assert compare({}, now) == {}
