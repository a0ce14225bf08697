"""Pure core pieces: text matching, splitting, pseudonyms, state, locks, routing rules."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from dataclasses import asdict, replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.clock import ManualClock
from core.conversation import Routes, parse_command, resolve_choice
from core.events import Attachment, Choice, ChoiceMade, CommandMessage, Link, Location, Reply, TextMessage, Venue
from core.hotlines import parse_hotlines
from core.locks import KeyedLock
from core.pseudonym import Pseudonymizer
from core.state import ConversationState, reply_to_dict
from core.text import find_tolerant, fold, normalize_input, split_text, utf16_length

U = "u" * 64


@pytest.mark.parametrize(
    ("typed", "phrase", "expected"),
    [
        ("tự tử", "tự tử", True),
        ("tu tu", "tự tử", True),
        ("TU TU", "tự tử", True),
        ("tu tử", "tự tử", True),  # accents partly typed
        ("từ từ", "tự tử", False),  # "slowly": other accents typed
        ("từ từ thôi", "tự tử", False),
        ("toi muon tu tu", "tự tử", True),
        ("tutu", "tự tử", False),
        ("bạn tôi bị qua lieu rồi", "quá liều", True),
        ("qua   lieu", "quá liều", True),
        ("quá liều!", "quá liều", True),
        ("quả liều", "quá liều", False),
        ("muốn chết", "muốn chết", True),
        ("muôn chêt", "muốn chết", False),
        ("khó thở", "khó thở", True),
        ("kho tho", "khó thở", True),
        ("sốc thuốc", "sốc thuốc", True),
        ("soc thuoc", "sốc thuốc", True),
        ("overdose", "overdose", True),
    ],
)
def test_tolerant_matching(typed: str, phrase: str, expected: bool) -> None:
    assert find_tolerant(typed, phrase) is expected


def test_decomposed_input_matches_after_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "tự tử")
    assert decomposed != "tự tử"
    assert find_tolerant(normalize_input(decomposed), "tự tử")


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ",
        min_size=1,
    )
)
def test_a_phrase_matches_itself_and_its_unaccented_form(phrase: str) -> None:
    phrase = " ".join(phrase.split())
    if not phrase:
        return
    assert find_tolerant(phrase, phrase)
    assert find_tolerant(fold(phrase), phrase)
    assert fold(fold(phrase)) == fold(phrase)


def test_fold() -> None:
    assert fold("  Hoàn   Kiếm ") == "hoan kiem"
    assert fold("ĐÀ NẴNG") == "da nang"
    assert fold("Bà Rịa - Vũng Tàu") == "ba ria - vung tau"


def test_normalize_input_is_nfc_trimmed_bounded_and_drops_control_characters() -> None:
    assert normalize_input(" a\x00b\x07c \n") == "abc"
    assert len(normalize_input("x" * 100_000)) == 4096
    assert normalize_input(unicodedata.normalize("NFD", "Việt")) == "Việt"


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=20, max_value=500))
def test_split_text_respects_the_limit_and_keeps_every_word(text: str, limit: int) -> None:
    pieces = split_text(text, limit, utf16_length)
    assert all(utf16_length(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_split_prefers_sentence_boundaries() -> None:
    text = "Câu thứ nhất khá dài. Câu thứ hai. Câu thứ ba cũng dài."
    assert split_text(text, 40) == ["Câu thứ nhất khá dài. Câu thứ hai.", "Câu thứ ba cũng dài."]


def test_pseudonyms_are_keyed_stable_and_per_channel() -> None:
    one, two = Pseudonymizer(b"k" * 32), Pseudonymizer(b"j" * 32)
    assert one.of("telegram", 42) == one.of("telegram", "42")
    assert one.of("telegram", 42) != one.of("zalo", 42)
    assert one.of("telegram", 42) != two.of("telegram", 42)
    assert len(one.of("telegram", 42)) == 64 and "42" not in repr(one)
    with pytest.raises(ValueError):
        Pseudonymizer(b"short")


@given(
    st.dictionaries(st.text(max_size=10), st.one_of(st.integers(), st.text(max_size=20), st.booleans()), max_size=5),
    st.lists(
        st.tuples(
            st.text(alphabet="abc:_", min_size=1, max_size=10),
            st.text(min_size=1, max_size=20).filter(str.strip),
        ),
        max_size=5,
    ),
)
def test_state_json_round_trip(data: dict[str, object], offered: list[tuple[str, str]]) -> None:
    state = ConversationState(
        flow="f",
        step="s",
        data=data,
        offered=[Choice(i, label) for i, label in offered],
        prompt=[Reply("hỏi", choices=tuple(Choice(i, label) for i, label in offered))],
        resume={"flow": "x"},
    )
    assert ConversationState.from_json(state.to_json()) == state


def test_a_kept_prompt_keeps_every_field_of_its_reply_but_the_file() -> None:
    full = Reply(
        "hỏi",
        title="T",
        choices=(Choice("a:1", "Một"),),
        links=(Link("L", "https://x.invalid"),),
        request_location=True,
        request_contact=True,
        venue=Venue(21.0, 105.8, "V", "addr"),
        attachment=Attachment("f.ics", b"x", "text/calendar"),
    )
    expected = asdict(full)
    del expected["attachment"]
    assert json.loads(json.dumps(reply_to_dict(full))) == json.loads(json.dumps(expected))
    state = ConversationState(flow="f", prompt=[full])
    assert ConversationState.from_json(state.to_json()).prompt == [replace(full, attachment=None)]


@pytest.mark.parametrize("raw", ["", "not json", "[]", '{"v": 99}', '{"v": 1, "offered": [{"id": ""}]}'])
def test_unreadable_state_starts_afresh(raw: str) -> None:
    assert ConversationState.from_json(raw) == ConversationState()


def test_choice_ids_are_short_ascii() -> None:
    with pytest.raises(ValueError):
        Choice("ă", "x")
    with pytest.raises(ValueError):
        Choice("x" * 65, "x")
    with pytest.raises(ValueError):
        Choice("ok", "  ")


def test_location_range() -> None:
    with pytest.raises(ValueError):
        Location(91, 0)
    assert Location(10.3, 107.1).latitude == 10.3


def test_command_parsing() -> None:
    event = parse_command(TextMessage(U, "t", "/Start@diemtua_bot g_abc"))
    assert event == CommandMessage(U, "t", "start", "g_abc")
    assert parse_command(TextMessage(U, "t", "/ not a command")) == TextMessage(U, "t", "/ not a command")


def test_typed_numbers_and_labels_resolve_to_offered_choices() -> None:
    state = ConversationState(offered=[Choice("age:adult", "Từ 16 tuổi trở lên"), Choice("age:child", "Dưới 16 tuổi")])
    assert resolve_choice(TextMessage(U, "c", "2"), state) == ChoiceMade(U, "c", "age:child")
    assert resolve_choice(TextMessage(U, "c", "1."), state) == ChoiceMade(U, "c", "age:adult")
    assert resolve_choice(TextMessage(U, "c", "tu 16 tuoi tro len"), state) == ChoiceMade(U, "c", "age:adult")
    assert resolve_choice(TextMessage(U, "c", "3"), state) == TextMessage(U, "c", "3")
    assert resolve_choice(TextMessage(U, "c", "1"), ConversationState()) == TextMessage(U, "c", "1")


def test_router_rejects_colons_in_actions() -> None:
    with pytest.raises(ValueError):
        Routes("x").choice("a:b")


async def test_keyed_lock_serialises_one_key_in_arrival_order_and_cleans_up() -> None:
    locks = KeyedLock()
    order: list[int] = []

    async def work(n: int) -> None:
        async with locks.hold("k"):
            await asyncio.sleep(0.01 * (5 - n))
            order.append(n)

    await asyncio.gather(*(work(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]
    assert len(locks) == 0


async def test_keyed_lock_lets_other_keys_run() -> None:
    """While "a" is held, "b" can be taken at once; a second holder of "a" waits for the first."""
    locks = KeyedLock()
    release = asyncio.Event()
    order: list[str] = []

    async def hold(key: str, name: str) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            if name == "a1":
                await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(hold("a", "a1"))
    await asyncio.sleep(0)
    second = asyncio.create_task(hold("a", "a2"))
    await asyncio.sleep(0)
    await asyncio.wait_for(hold("b", "b"), 1)  # not behind "a": it would time out if it were
    assert order == ["a1 in", "b in", "b out"]
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), 1)
    assert order == ["a1 in", "b in", "b out", "a1 out", "a2 in", "a2 out"]


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock()
    start = clock.now()
    clock.advance(timedelta(minutes=5))
    assert clock.now() - start == timedelta(minutes=5)


def test_shipped_hotline_data_is_valid_and_honest_about_unverified_hours() -> None:
    from core.hotlines import load_hotlines

    hotlines = load_hotlines()
    assert hotlines.first("emergency") is not None and hotlines.first("emergency").number == "115"  # type: ignore[union-attr]
    assert hotlines.first("child") is not None
    mental = hotlines.first("mental")
    assert mental is not None and mental.verified is False


def test_hotline_data_is_validated() -> None:
    with pytest.raises(ValueError):
        parse_hotlines('[[hotline]]\nnumber = "115"\nkind = "unknown"\n')
    with pytest.raises(ValueError):
        parse_hotlines('[[hotline]]\nnumber = "11a"\nkind = "emergency"\n')
