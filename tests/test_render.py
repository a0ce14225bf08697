"""Rendering replies for Telegram (HTML, limits, keyboards) and for plain-text channels."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.render import MAX_TEXT, markup_json, render
from core.events import Choice, Link, Reply
from core.i18n import load_translator
from core.render import render_plain
from fakes.botapi_spec import check_value
from fakes.telegram_html import parse_html, utf16_len

VI = load_translator()
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=9000)


@settings(max_examples=150, deadline=None)
@given(
    text=TEXT.filter(str.strip),
    title=st.none() | st.text(min_size=1, max_size=60).filter(str.strip),
    links=st.lists(
        st.tuples(st.text(min_size=1, max_size=30).filter(str.strip), st.just("https://x.org/?a=1&b=<2>")), max_size=2
    ),
)
def test_telegram_html_is_always_valid_and_within_limits(
    text: str, title: str | None, links: list[tuple[str, str]]
) -> None:
    reply = Reply(text=text, title=title, links=tuple(Link(label, url) for label, url in links))
    messages = render(reply, VI)
    visible = [parse_html(m.html) for m in messages]  # raises where Telegram would refuse
    assert all(1 <= utf16_len(v) <= MAX_TEXT for v in visible)
    assert "".join("".join(visible).split()).find("".join(text.split())[:50]) >= 0


def test_dynamic_values_are_escaped() -> None:
    (message,) = render(Reply(text="<b>x</b> & <script>", title="A < B"), VI)
    assert message.html == "<b>A &lt; B</b>\n&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;"
    assert parse_html(message.html) == "A < B\n<b>x</b> & <script>"


def test_long_text_is_split_and_buttons_go_on_the_last_message() -> None:
    reply = Reply(text="Một câu khá dài. " * 600, choices=(Choice("menu", "Menu chính"),))
    messages = render(reply, VI)
    assert len(messages) == 3
    assert [bool(m.inline) for m in messages] == [False, False, True]


def test_choices_become_spec_valid_inline_keyboards() -> None:
    (message,) = render(Reply(text="?", choices=(Choice("age:adult", "Từ 16 tuổi trở lên"), Choice("m", "Menu"))), VI)
    payload = markup_json(message)
    assert payload is not None
    assert check_value(payload, ["InlineKeyboardMarkup"], "reply_markup", from_form=False) == []
    assert [row[0]["callback_data"] for row in payload["inline_keyboard"]] == ["age:adult", "m"]


def test_location_request_is_a_spec_valid_reply_keyboard() -> None:
    (message,) = render(Reply(text="Bạn ở đâu?", request_location=True, choices=(Choice("m", "Menu chính"),)), VI)
    payload = markup_json(message)
    assert payload is not None
    assert check_value(payload, ["ReplyKeyboardMarkup"], "reply_markup", from_form=False) == []
    assert payload["keyboard"][0][0] == {"text": "📍 Gửi vị trí của tôi", "request_location": True}
    assert payload["keyboard"][1][0] == {"text": "Menu chính"}
    assert payload["one_time_keyboard"] is True


def test_plain_channels_number_choices_and_ask_to_type_a_place() -> None:
    text = render_plain(
        Reply(text="Bạn ở đâu?", title="Tìm", request_location=True, choices=(Choice("a", "Một"), Choice("b", "Hai"))),
        VI,
    )
    assert (
        text == "Tìm\n\nBạn ở đâu?\n\nBạn hãy gõ tên phường, xã hoặc quận/huyện nơi bạn ở."
        "\n\n1. Một\n2. Hai\n(Gõ số để chọn.)"
    )


def test_the_fake_server_refuses_what_telegram_refuses() -> None:
    import pytest

    from fakes.telegram_html import ParseError

    for bad in ("<div>x</div>", "a < b", "<b>x", "<b><i>x</b></i>", "&nbsp;", '<span class="x">y</span>'):
        with pytest.raises(ParseError):
            parse_html(bad)
    assert parse_html('<b>đậm</b> &amp; <a href="https://x.org">link</a> &#128205;') == "đậm & link 📍"
    assert check_value({"text": "x"}, ["InlineKeyboardButton"], "b", from_form=False) == []
    assert check_value({"txt": "x"}, ["InlineKeyboardButton"], "b", from_form=False) != []
    assert check_value({"type": "chat"}, ["BotCommandScopeDefault"], "s", from_form=False) != []
    assert check_value("12", ["Integer"], "i", from_form=True) == []
    assert check_value("twelve", ["Integer"], "i", from_form=True) != []
