"""Where a person asking for a live talk is, if they want to say: a province typed (or a former province, a
district, a ward: its province is what counts), matched without regard to diacritics; the talk is then offered
first to counsellors there, who see the province's name."""

from __future__ import annotations

from dataclasses import dataclass

from core.choices import ChoiceData
from core.conversation import Context, Routes
from core.events import TextMessage
from domain.gazetteer import Gazetteer
from handlers.talks.person import WHERE_FLOW, Share, ask_where, join

MAX_CHOICES = 5


@dataclass(frozen=True)
class InProvince(ChoiceData, prefix="talk.in"):
    """The province the person meant, of those their words matched."""

    province: str


def create(gazetteer: Gazetteer) -> Routes:
    router = Routes("talks_where")

    def asked(ctx: Context) -> tuple[str, str]:
        data = ctx.state.data if ctx.state.flow == WHERE_FLOW.name else {}
        return str(data.get("came") or "menu"), str(data.get("level") or "")

    @router.flow(WHERE_FLOW)
    async def typed(ctx: Context) -> None:
        came, level = asked(ctx)
        if not isinstance(ctx.event, TextMessage):
            ask_where(ctx, came, level)
            return
        places = gazetteer.lookup(ctx.event.text)
        provinces = list(dict.fromkeys(p.province for p in places if p.province in gazetteer.provinces))
        if not provinces:
            if await ctx.understood_instead():  # not a place, but another request
                return
            ask_where(ctx, came, level, ctx._("I could not find that place."))
            return
        if len(provinces) == 1:
            await join_in(ctx, came, level, provinces[0])
            return
        ctx.say(
            ctx._("Which one do you mean?"),
            choices=[
                *(InProvince(p).choice(gazetteer.provinces[p].name) for p in provinces[:MAX_CHOICES]),
                Share(came, level).choice(ctx._("Skip this")),
            ],
        )

    @router.choice(InProvince)
    async def chosen(ctx: Context, data: InProvince) -> None:
        came, level = asked(ctx)
        if data.province not in gazetteer.provinces:
            ask_where(ctx, came, level)
            return
        await join_in(ctx, came, level, data.province)

    async def join_in(ctx: Context, came: str, level: str, province: str) -> None:
        await join(ctx, Share(came, level), (province, gazetteer.provinces[province].name))

    return router
