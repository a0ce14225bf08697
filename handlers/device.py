"""Device safety: people may share a phone or have it checked.  ``/xoa`` deletes this chat's recent messages, the
person's and the bot's, where the platform lets a bot do it (Telegram: private chats, 48 hours), and says plainly
what it cannot delete.  Nothing is kept to do it: the chat's own message numbers are the bounds."""

from __future__ import annotations

from core.capability import Capability, Command, wired
from core.conversation import Context, Routes
from core.events import Choice, Render
from core.i18n import N_

router = Routes("device")
WINDOW = 1000  # how many of the chat's latest messages are deleted (Telegram refuses those older than 48 hours)


@router.command("xoa")
async def ask(ctx: Context) -> None:
    if not ctx.channel.renders & Render.DELETE:
        ctx.say(
            ctx._(
                "Here I cannot delete messages: Zalo does not let a bot delete them. If someone else may see this "
                "phone, delete this conversation yourself in the app."
            ),
            choices=[Choice("menu", ctx._("Main menu"))],
        )
        return
    ctx.say(
        ctx._(
            "Delete the messages of this chat from the last 48 hours, yours and mine? Telegram does not let me "
            "delete older ones."
        ),
        choices=[Choice("device.wipe", ctx._("Yes, delete them")), Choice("menu", ctx._("No"))],
    )


@router.choice("device.wipe")
async def wipe(ctx: Context) -> None:
    position = ctx.event.position
    if position is None:
        await ask(ctx)
        return
    ctx.state.leave()
    ctx.wipe(position - WINDOW, position)
    ctx.say(
        ctx._(
            "Done: this chat's messages from the last 48 hours are deleted. What I cannot delete: older messages, "
            "notifications the phone has already shown, screenshots, and, in a live talk, the counsellor's copy. "
            "Telegram keeps its own records under its own rules."
        ),
        choices=[Choice("menu", ctx._("Main menu"))],
    )


capability = Capability(
    "device",
    wired(router),
    commands=(Command("xoa", N_("Delete this chat's recent messages"), 75),),
)
