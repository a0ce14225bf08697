"""The anonymous self-check (WHO ASSIST v3.0): one question per message, back and stop at every step, a
plain-language result in the spirit of WHO's brief intervention, and next steps chosen by the result.

Answers live only in the expiring conversation state; the only lasting trace is an anonymous weekly
counter (instrument, substance, risk level).  A person may opt in to keep their results (scores and
levels, never answers) under consent "selfcheck_results"; then the next result is compared with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from core.capability import Capability, Flow, MenuEntry, Record, Understood, Wiring
from core.choices import ChoiceData
from core.clock import week_start
from core.consent import Purpose
from core.conversation import Context, Routes
from core.events import Choice
from core.i18n import N_
from core.ports.selfcheck import SAVED_RESULTS
from domain.assist import (
    GATE_CONFIRM,
    Ask,
    Injecting,
    Instrument,
    Risk,
    SubstanceResult,
    Trend,
    answer_key,
    compare,
    injecting,
    next_ask,
    rescore,
    results,
)
from handlers import consent
from handlers.entry_points import FindService, TalkNow
from handlers.menu import show_menu
from handlers.services import Services

FLOW = Flow("selfcheck", N_("the self-check, answers in progress"))
RESULT_FLOW = Flow("selfcheck_result", N_("your latest self-check scores, for half an hour, to show them again"))
KEEP_RESULTS = 5
PENDING_SECONDS = 30 * 60  # a result stays this long (to show again, or to save), then it is gone

RISK_ORDER = (Risk.LOW, Risk.MODERATE, Risk.HIGH)
LEVEL_NAMES = {Risk.LOW: N_("low risk"), Risk.MODERATE: N_("moderate risk"), Risk.HIGH: N_("high risk")}
FEEDBACK = {
    Risk.HIGH: N_(
        "A high score means a high risk of serious problems with health, relationships, money or the law, and "
        "possibly dependence. This is not a diagnosis, and it says nothing about who you are. Treatment and "
        "support work, and many people have changed their use with help. A counsellor can talk it through with "
        "you, privately."
    ),
    Risk.MODERATE: N_(
        "A moderate score means your current use may already be affecting your health or other parts of your "
        "life, or may do so later. Many people in your situation cut down or stop, and it is easier with a plan "
        "and support. What you decide is up to you."
    ),
    Risk.LOW: N_(
        "A low score means your current use carries a low risk of problems. Keeping it this way protects your "
        "health; risks grow if use increases. You can take the check again in three months."
    ),
}
OPIOIDS_ADVICE = N_(
    "For heroin and other opioids, treatment with methadone or buprenorphine greatly lowers the risk of overdose "
    "and helps people get their lives back. Never use alone, and take extra care after a break: your body's "
    "tolerance drops quickly."
)
STIMULANTS_ADVICE = N_(
    "For ma túy đá and other stimulants, "  # the name people know methamphetamine by (noqa: i18n)
    "counselling helps, and so does support for sleep, mood and stress. If "
    "you feel anxious, suspicious or hear things others do not, talk to a health worker."
)
INJECTING_FREQUENT = N_(
    "You inject often. That calls for a closer look with a health worker or counsellor, soon: it is a sign "
    "that more support would help."
)
INJECTING_ANY = N_(
    "Because you have injected: use a new needle and syringe every time and never share them or other "
    "equipment. Get tested for HIV and hepatitis B and C; testing is confidential, and treatment works."
)

# Advice a result points to, each behind its own button so the result itself stays short.
ADVICE_LABELS = {
    "opioids": N_("Opioids: treatment and overdose"),
    "stimulants": N_("Stimulants: what helps"),
    "injecting": N_("Injecting: staying safer"),
}


@dataclass(frozen=True)
class Advice(ChoiceData, prefix="check.advice"):
    topic: Literal["opioids", "stimulants", "injecting"]


SELFCHECK_RESULTS = Purpose(
    id="selfcheck_results",
    version="2026-11-v1",
    title=N_("Saved self-check results"),
    explanation=N_(
        "If you agree, I keep your self-check results (the date, and the score and risk level for each "
        "substance; not your answers), encrypted, under your anonymous code, so that next time I can show "
        "you how things have changed. I keep your five most recent results, until you withdraw this consent "
        "or erase everything with /forget.\n\n"
        "This is sensitive information about your health. Like anything a service keeps, it could be requested "
        "by the authorities where the law allows. Only agree if you are comfortable with that; the self-check "
        "works just as well without saving."
    ),
)
NO_USE = N_(
    "You have not used any of these substances. Thank you for taking the check. If you are here for someone "
    "close to you, the family section may help."
)
DISCLAIMER = N_(
    "This is a self-check, not a diagnosis. Your answers were not stored; only an anonymous count (the week, "
    "the substance and the risk level, with nothing about you) is kept for the programme's figures."
)
TRENDS = {
    Trend.LOWER: N_("lower than last time ({points} points)"),
    Trend.SAME: N_("the same as last time"),
    Trend.HIGHER: N_("higher than last time ({points} points)"),
}


def taken_on(saved: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(saved.get("taken_on")))
    except ValueError:
        return None


@dataclass(frozen=True)
class Answer(ChoiceData, prefix="check.answer"):
    number: int  # how many questions were answered before this one
    option: int  # the index of the answer on the question's scale


@dataclass(frozen=True)
class Save(ChoiceData, prefix="check.save"):
    answer: Literal["ask", "yes", "no"]


def create_router(instrument: Instrument) -> Routes:
    router = Routes("selfcheck")

    def answers_of(ctx: Context) -> dict[str, str]:
        return dict(ctx.state.data.get("answers") or {})

    def order_of(ctx: Context) -> list[str]:
        return list(ctx.state.data.get("order") or [])

    def ask(ctx: Context, step: Ask, answered: int) -> None:
        question = ctx._(step.question.text)
        if step.substance is not None:
            question = question.format(substance=ctx._(step.substance.label))
        choices = [Answer(answered, i).choice(ctx._(o.label)) for i, o in enumerate(step.question.scale)]
        choices += [Choice("check.back", ctx._("◀ Back")), Choice("check.stop", ctx._("Stop"))]
        ctx.say(question, title=ctx._("Question {number}").format(number=answered + 1), choices=choices)

    async def advance(ctx: Context, answers: dict[str, str], order: list[str]) -> None:
        step = next_ask(instrument, answers)
        if step is None:
            await finish(ctx, answers)
            return
        ctx.state.enter(FLOW.name, step.key, answers=answers, order=order)
        ask(ctx, step, len(order))

    async def finish(ctx: Context, answers: dict[str, str]) -> None:
        found = results(instrument, answers)
        injected = injecting(answers)
        today = ctx.now.astimezone(ctx.i18n.timezone).date()
        week = week_start(today)
        for result in found:
            await ctx.uow.tallies.add(
                week, "selfcheck", instrument=instrument.id, subject=result.substance.id, level=result.risk.value
            )
        if not found:
            await ctx.uow.tallies.add(week, "selfcheck", instrument=instrument.id, subject="none")
        highest = max((RISK_ORDER.index(r.risk) for r in found), default=-1)
        level = RISK_ORDER[highest].value if highest >= 0 else "none"
        await ctx.uow.tallies.add(week, "selfcheck_done", instrument=instrument.id, level=level)
        ctx.state.leave()
        summary = {
            "taken_on": today.isoformat(),
            "scores": {r.substance.id: r.score for r in found},
            "injecting": injected.value,
        }
        saving = await consent.given(ctx, SELFCHECK_RESULTS)
        previous = await ctx.uow.get(SAVED_RESULTS).latest(ctx.user.pseudonym, instrument.id) if saving else None
        if saving:
            await ctx.uow.get(SAVED_RESULTS).add(ctx.user.pseudonym, instrument.id, summary, keep=KEEP_RESULTS)
        if found:  # kept in the expiring state: to show again after advice or tips, and to offer saving
            ctx.state.enter(
                RESULT_FLOW.name, "result", keep_for=PENDING_SECONDS, result=summary, previous=previous, saved=saving
            )
        show_result(ctx, found, injected, previous, saved=saving, just_saved=saving)

    def kept_result(ctx: Context) -> dict[str, Any] | None:
        summary = ctx.state.data.get("result") if ctx.state.flow == RESULT_FLOW.name else None
        return summary if isinstance(summary, dict) else None

    def show_result(
        ctx: Context,
        found: list[SubstanceResult],
        injected: Injecting,
        previous: dict[str, Any] | None,
        *,
        saved: bool,
        just_saved: bool = False,
    ) -> None:
        text = result_text(ctx, found, injected, previous)
        choices = next_steps(ctx, found, injected)
        advice = advice_topics(found, injected)
        if advice:  # first among the buttons, so the advice that matters most is not missed
            choices[:0] = [Advice(t).choice(ctx._(ADVICE_LABELS[t])) for t in advice]  # type: ignore[arg-type]
        if just_saved:
            text += "\n\n" + ctx._(
                "As you agreed, this result is saved so you can compare next time. To stop saving and delete "
                "saved results, use /privacy."
            )
        elif found and not saved:
            choices.insert(-1, Save("ask").choice(ctx._("Save my result to compare next time")))
        ctx.say(text, title=ctx._("Your self-check result"), choices=choices)

    def advice_topics(found: list[SubstanceResult], injected: Injecting) -> list[str]:
        concerning = {r.substance.id for r in found if r.risk is not Risk.LOW}
        topics = [topic for topic in ("opioids", "stimulants") if topic in concerning]
        return topics + (["injecting"] if injected is not Injecting.NEVER else [])

    def back_to_result(ctx: Context) -> list[Choice]:
        back = [Choice("check.result", ctx._("Back to my result"))] if kept_result(ctx) else []
        return [*back, Choice("menu", ctx._("Main menu"))]

    @router.choice("check.result")
    async def again(ctx: Context) -> None:
        summary = kept_result(ctx)
        if summary is None:
            show_menu(
                ctx, ctx._("Your result is no longer kept (it stays half an hour). You can take the check again.")
            )
            return
        found = rescore(instrument, summary.get("scores") or {})
        previous = ctx.state.data.get("previous")
        show_result(
            ctx,
            found,
            Injecting(summary.get("injecting", "never")),
            previous if isinstance(previous, dict) else None,
            saved=bool(ctx.state.data.get("saved")),
        )

    @router.choice(Advice)
    async def advice(ctx: Context, data: Advice) -> None:
        summary = kept_result(ctx)
        injected = Injecting(summary.get("injecting", "never")) if summary else Injecting.NEVER
        parts = []
        if data.topic == "opioids":
            parts.append(ctx._(OPIOIDS_ADVICE))
        elif data.topic == "stimulants":
            parts.append(ctx._(STIMULANTS_ADVICE))
        else:
            if injected is Injecting.FREQUENT:
                parts.append(ctx._(INJECTING_FREQUENT))
            parts.append(ctx._(INJECTING_ANY))
        ctx.say("\n\n".join(parts), title=ctx._(ADVICE_LABELS[data.topic]), choices=back_to_result(ctx))

    def result_text(
        ctx: Context, found: list[SubstanceResult], injected: Injecting, previous: dict[str, Any] | None = None
    ) -> str:
        if not found:
            return ctx._(NO_USE) + "\n\n" + ctx._(DISCLAIMER)
        earlier = compare(previous.get("scores") or {}, found) if previous else {}
        lines = []
        for r in found:
            line = ctx._("{substance}: {score} points, {level}").format(
                substance=ctx._(r.substance.short), score=r.score, level=ctx._(LEVEL_NAMES[r.risk])
            )
            if r.substance.id in earlier:
                points, trend = earlier[r.substance.id]
                line += "; " + ctx._(TRENDS[trend]).format(points=points)
            lines.append("• " + line)
        parts = []
        day = taken_on(previous) if previous and earlier else None
        if day is not None:
            parts.append(
                ctx._("Compared with the result you saved on {date}:").format(date=ctx.i18n.date(day, "dd/MM/yyyy"))
            )
        parts.append("\n".join(lines))
        highest = max((r.risk for r in found), key=RISK_ORDER.index)
        parts.append(ctx._(FEEDBACK[highest]))  # what the highest level means; the others are lower still
        parts.append(ctx._(DISCLAIMER))
        return "\n\n".join(parts)

    def next_steps(ctx: Context, found: list[SubstanceResult], injected: Injecting) -> list[Choice]:
        risks = {r.substance.id: r.risk for r in found}
        high = Risk.HIGH in risks.values() or injected is Injecting.FREQUENT
        moderate = Risk.MODERATE in risks.values()
        choices: list[Choice] = []
        if risks.get("opioids") in (Risk.HIGH, Risk.MODERATE):
            choices.append(FindService("opioid_treatment").choice(ctx._("Find methadone or buprenorphine treatment")))
        if risks.get("stimulants") in (Risk.HIGH, Risk.MODERATE):
            choices.append(
                FindService("mental_health_counselling").choice(ctx._("Find counselling and mental health support"))
            )
        if injected is not Injecting.NEVER:
            choices.append(FindService("testing").choice(ctx._("Find HIV and hepatitis testing")))
            choices.append(FindService("needle_syringe").choice(ctx._("Find a needle and syringe programme")))
        if high or moderate:
            level = Risk.HIGH if Risk.HIGH in risks.values() else Risk.MODERATE
            choices.append(TalkNow("check", level.value).choice(ctx._("Talk to a counsellor now")))
            choices.append(Choice("book", ctx._("Book a counselling session")))
        if moderate:
            choices.append(Choice("tips", ctx._("Tips for cutting down")))
        if high:
            choices.append(Choice("groups:relapse_prevention", ctx._("Join a self-help group")))
        if not found:
            choices.append(Choice("family", ctx._("For families")))
        choices.append(Choice("menu", ctx._("Main menu")))
        return choices

    @router.choice("check", anytime=True)
    async def intro(ctx: Context) -> None:
        ctx.state.leave()
        text = ctx._(
            "This is a private self-check about alcohol, tobacco and other substances, based on the World "
            "Health Organization's ASSIST questionnaire. It takes about five minutes, one question at a time. "
            "It is not a diagnosis.\n\n"
            "Your answers are not stored. You can go back or stop at any question."
        )
        if await consent.given(ctx, SELFCHECK_RESULTS):
            previous = await ctx.uow.get(SAVED_RESULTS).latest(ctx.user.pseudonym, instrument.id)
            day = taken_on(previous) if previous else None
            if day is not None:
                text += "\n\n" + ctx._(
                    "You saved your result of {date}. At the end I will show you how things have changed."
                ).format(date=ctx.i18n.date(day, "dd/MM/yyyy"))
        ctx.say(
            text,
            title=ctx._(instrument.title),
            choices=[Choice("check.go", ctx._("Start the self-check")), Choice("menu", ctx._("Main menu"))],
        )

    @router.choice("check.go")
    async def start(ctx: Context) -> None:
        await advance(ctx, {}, [])

    @router.choice("check.stop")
    async def stop(ctx: Context) -> None:
        ctx.state.leave()
        show_menu(ctx, ctx._("The self-check is stopped and your answers are forgotten."))

    @router.choice("check.back")
    async def back(ctx: Context) -> None:
        answers, order = answers_of(ctx), order_of(ctx)
        if not order:
            await intro(ctx)
            return
        while order:  # undo the last answer that still counts
            if answers.pop(order.pop(), None) is not None:
                break
        await advance(ctx, answers, order)

    @router.choice(Answer)
    async def answer(ctx: Context, data: Answer) -> None:
        answers, order = answers_of(ctx), order_of(ctx)
        current = next_ask(instrument, answers)
        if current is None or data.number != len(order) or not 0 <= data.option < len(current.question.scale):
            await intro(ctx)
            return
        option = current.question.scale[data.option]
        answers[current.key] = option.id
        order.append(current.key)
        if current.key == GATE_CONFIRM and option.id == "yes":
            # "Yes, at least once": ask the gate question again, substance by substance.  The first
            # answers stay in the order (they were asked) but no longer count.
            for substance in instrument.substances:
                answers.pop(answer_key(instrument.gate, substance.id), None)
        await advance(ctx, answers, order)

    @router.choice(Save)
    async def save(ctx: Context, data: Save) -> None:
        """The opt-in: explain, then "yes" or "no"; the result waits in the expiring state."""
        summary = kept_result(ctx)
        if summary is None:
            show_menu(ctx)
            return
        if data.answer == "ask":
            consent.ask(ctx, SELFCHECK_RESULTS, yes=Save("yes").pack(), no=Save("no").pack())
            return
        found = rescore(instrument, summary.get("scores") or {})
        steps = next_steps(ctx, found, Injecting(summary.get("injecting", "never")))
        if data.answer == "yes" and not ctx.state.data.get("saved"):
            await consent.grant(ctx, SELFCHECK_RESULTS)
            await ctx.uow.get(SAVED_RESULTS).add(ctx.user.pseudonym, instrument.id, summary, keep=KEEP_RESULTS)
            ctx.state.data["saved"] = True
            text = ctx._(
                "Saved. When you take the self-check again, I will show you how your result has changed. You can "
                "delete saved results at any time in /privacy."
            )
        elif data.answer == "yes":
            text = ctx._("This result is already saved.")
        else:
            text = ctx._("Fine, nothing was saved. Here are the next steps again:")
        ctx.say(text, choices=[Choice("check.result", ctx._("Back to my result")), *steps])

    @router.flow(FLOW)
    async def typed(ctx: Context) -> None:
        answers, order = answers_of(ctx), order_of(ctx)
        current = next_ask(instrument, answers)
        if current is None:
            show_menu(ctx)
            return
        # not an answer, but another request, as typed: "tìm chỗ methadone" (noqa: i18n)
        if await ctx.understood_instead():
            return
        ctx.say(ctx._("Please choose one of the answers below."))
        ask(ctx, current, len(order))

    @router.choice("tips", anytime=True)
    async def tips(ctx: Context) -> None:
        ctx.say(
            ctx._(
                "Some things that help many people:\n"
                "• Set a goal: how much, how often, and days without using.\n"
                "• Notice what sets off the urge (people, places, feelings) and plan what you will do instead.\n"
                "• Tell someone you trust about your goal.\n"
                "• If you use: not alone, not mixed (especially opioids with alcohol or sleeping pills), and "
                "start with a small amount.\n"
                "• Be kind to yourself after a slip: it is part of change, not the end of it."
            ),
            choices=back_to_result(ctx),
        )

    return router


def _setup(services: Services) -> Wiring:
    return Wiring((create_router(services.instrument),))


capability = Capability(
    "selfcheck",
    _setup,
    menu=MenuEntry("check", N_("Self-check"), 10),
    understood=(Understood("selfcheck", lambda _: "check", N_("Self-check")),),
    purposes=(SELFCHECK_RESULTS,),
    flows=(FLOW, RESULT_FLOW),
    records=(Record("saved_results", N_("Saved self-check results: {count}.")),),
)
