"""The web console from the chat: ``/web`` gives a staff member a sign-in link (single use, ten minutes; only a
keyed hash of it is kept), and "sign out everywhere" ends every session of theirs.  The link opens a page with a
sign-in button, so a link preview fetching it does not use it up."""

from __future__ import annotations

from core.capability import Capability, Wiring
from core.conversation import Context, Routes
from core.events import Choice
from core.ports import StaffRecord
from core.ports.web import WEB
from core.web_tokens import LINK_VALID, ConsoleAccess, new_token
from handlers.menu import show_menu
from handlers.services import Services
from services.staff import ROLES


async def staff_writing(ctx: Context) -> StaffRecord | None:
    member = await ctx.uow.staff.of(ctx.user.pseudonym)
    if member is None or member.role not in ROLES:
        show_menu(ctx, ctx._("The web console is for programme staff. How can I help you?"))
        return None
    return member


def web_router(console: ConsoleAccess | None) -> Routes:
    router = Routes("web")

    @router.command("web")
    @router.choice("web.link")
    async def link(ctx: Context) -> None:
        if (member := await staff_writing(ctx)) is None:
            return
        ctx.state.leave()
        if console is None or console.url is None:
            ctx.say(
                ctx._("The web console is not running for this bot. Ask the programme's technical team."),
                choices=[Choice("staff.home", ctx._("Staff menu"))],
            )
            return
        token = new_token()
        await ctx.uow.get(WEB).add_link(console.keys.link_hash(token), member.id, ctx.now)
        minutes = int(LINK_VALID.total_seconds() // 60)
        ctx.say(
            ctx._(
                "Your link to the web console. It works once, for {minutes} minutes, and only for you: do not "
                "forward it.\n{link}"
            ).format(minutes=minutes, link=console.link(token)),
            choices=[Choice("web.out", ctx._("Sign out everywhere")), Choice("staff.home", ctx._("Staff menu"))],
        )

    @router.choice("web.out")
    async def sign_out(ctx: Context) -> None:
        if (member := await staff_writing(ctx)) is None:
            return
        await ctx.uow.get(WEB).sign_out_everywhere(member.id)
        ctx.say(
            ctx._("Done: you are signed out of the web console on every device, and unused links no longer work."),
            choices=[Choice("web.link", ctx._("A new sign-in link")), Choice("staff.home", ctx._("Staff menu"))],
        )

    return router


def _setup(services: Services) -> Wiring:
    return Wiring((web_router(services.console),))


capability = Capability("web", _setup)
