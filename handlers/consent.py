"""Asking for consent, one purpose at a time: what is kept, why and for how long, then a free choice.

Nothing is pre-ticked and silence is not consent: only pressing (or typing) "Yes" records a grant,
with the purpose, the version of the text the person saw, and the time.
"""

from __future__ import annotations

from core.consent import Purpose
from core.conversation import Context
from core.events import Choice


def explain(ctx: Context, purpose: Purpose) -> str:
    """What is kept for ``purpose`` and how to withdraw: the words a person agrees to."""
    return (
        ctx._(purpose.explanation)
        + "\n\n"
        + ctx._("You can withdraw at any time in /privacy, and what was kept for this is then deleted.")
    )


def ask(ctx: Context, purpose: Purpose, *, yes: str, no: str) -> None:
    """Explain ``purpose`` and offer "yes" (choice ``yes``) and "no" (choice ``no``) side by side."""
    ctx.say(
        explain(ctx, purpose),
        title=ctx._(purpose.title),
        choices=[Choice(yes, ctx._("Yes, I agree")), Choice(no, ctx._("No, thank you"))],
    )


async def grant(ctx: Context, purpose: Purpose) -> None:
    await ctx.uow.consents.grant(ctx.user.pseudonym, purpose.id, purpose.version, ctx.now)


async def given(ctx: Context, purpose: Purpose) -> bool:
    """Whether the person agreed to ``purpose`` as it is worded now (a changed text asks again)."""
    return any(
        c.purpose == purpose.id and c.text_version == purpose.version
        for c in await ctx.uow.consents.active(ctx.user.pseudonym)
    )
