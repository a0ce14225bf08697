"""For families: short, warm guidance for relatives, and the way to services, counselling and groups.

Built on the community reinforcement and family training approach (CRAFT): understanding dependence,
talking without blame, rewarding the good moments, and looking after yourself.  Nothing is asked about
the relative and nothing here is stored about anyone: the only trace is an anonymous weekly count.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.capability import Capability, MenuEntry, Understood, wired
from core.choices import ChoiceData
from core.clock import week_start
from core.conversation import Context, Routes
from core.events import Choice
from core.i18n import N_
from core.ports import AgeGroup
from handlers.entry_points import FindService, TalkNow

router = Routes("family")


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: str  # msgid
    text: str  # msgid
    for_children: bool = True


TOPICS: tuple[Topic, ...] = (
    Topic(
        "understand",
        N_("Understanding dependence"),
        N_(
            "Dependence on drugs or alcohol is a health condition. It changes how the brain handles pleasure, "
            "stress and self-control, which is why stopping is hard even when someone truly wants to. It is not a "
            "lack of love for the family, and it is not a moral failing.\n\n"
            "Recovery is possible and common. It usually takes time and several tries, and slips along the way "
            "are part of change, not the end of it. Treatment works: counselling, methadone or buprenorphine for "
            "opioids, and support from peers who have been through it.\n\n"
            "You did not cause your relative's drug use, and you cannot control it. But the way a family responds "
            "can make it more likely that they seek help."
        ),
    ),
    Topic(
        "talk",
        N_("Talking without blame"),
        N_(
            "Ways of talking that help, used by the CRAFT approach for families:\n"
            "• Choose a calm moment when your relative has not been using. Talking with someone who is high or "
            "drunk usually turns into an argument.\n"
            '• Speak about yourself and what you see: "I worry when you come home late" rather than "You are '
            'ruining this family".\n'
            "• Notice and welcome the good moments: time spent sober, a kept promise. Do something pleasant "
            "together then.\n"
            "• Let use have its own consequences: do not cover up, lie or pay debts for them; stay kind while "
            "you do so.\n"
            "• When they show interest in changing, be ready: have a service or a counsellor in mind, and offer "
            "to go with them.\n"
            "• Your safety comes first. If you are threatened or hurt, go somewhere safe and call 113."
        ),
        for_children=False,
    ),
    Topic(
        "selfcare",
        N_("Looking after yourself"),
        N_(
            "Caring for someone who uses drugs is tiring, and many family members feel worry, shame, anger or "
            "guilt. These feelings are normal.\n"
            "• Your health and rest matter, for you and for everyone who relies on you.\n"
            "• Talk to someone you trust. Family support groups meet people in the same situation, and a "
            "counsellor can also see you on your own.\n"
            "• Keep doing things that give you strength: work, friends, faith, exercise.\n"
            "• It is all right to set limits on money, on what happens in your home and on what you will accept."
        ),
    ),
    Topic(
        "treatment",
        N_("Voluntary treatment and the law"),
        N_(
            "Vietnamese law lets a person choose treatment voluntarily: at home or in the community, with "
            "support from health workers, or at a treatment facility. For heroin and other opioids, methadone "
            "or buprenorphine treatment is one of the choices. The decision to start treatment belongs to your "
            "relative; your support makes it easier.\n\n"
            "The rules were updated by a new Law on Drug Prevention and Control, in force since 1 July 2026. It "
            "adds duties for people under management, such as declaring to the commune police. Because the "
            "details matter, ask a counsellor or a legal aid service what applies to your family before you "
            "decide anything. A counsellor's advice is confidential."
        ),
        for_children=False,
    ),
)
TOPIC_BY_ID = {topic.id: topic for topic in TOPICS}

INTRO = N_(
    "Thank you for looking for support. When someone close to you uses drugs, it affects the whole family, "
    "and you deserve help too. Here is some short guidance, and ways to reach services, a counsellor, or other "
    "families. I will not ask you anything about your relative."
)
INTRO_CHILD = N_(
    "It is not your fault if someone in your family uses drugs, and you do not have to deal with it alone. "
    "Talk to an adult you trust, or call 111, the free child helpline, day or night."
)


def topics_for(ctx: Context) -> list[Topic]:
    child = ctx.user.age_group is AgeGroup.CHILD
    return [topic for topic in TOPICS if topic.for_children or not child]


def service_choices(ctx: Context) -> list[Choice]:
    if ctx.user.age_group is AgeGroup.CHILD:
        return []
    return [
        FindService("family_support").choice(ctx._("Find support services")),
        TalkNow("family").choice(ctx._("Talk to a counsellor now")),
        Choice("book.family", ctx._("Book counselling for myself")),
        Choice("groups.family", ctx._("Family support groups")),
    ]


@dataclass(frozen=True)
class TopicChoice(ChoiceData, prefix="family.topic"):
    topic: str


@router.choice("family", anytime=True)
async def family(ctx: Context) -> None:
    ctx.state.leave()
    await home(ctx, topics_for(ctx))


@router.choice(TopicChoice, anytime=True)
async def topic_page(ctx: Context, data: TopicChoice) -> None:
    ctx.state.leave()
    topic = TOPIC_BY_ID.get(data.topic)
    available = topics_for(ctx)
    if topic is None or topic not in available:
        await home(ctx, available)
        return
    following = available[(available.index(topic) + 1) % len(available)]
    choices = [TopicChoice(following.id).choice(ctx._(following.label))]
    choices += [c for c in service_choices(ctx) if c.id == "book.family"]  # a counsellor, for themself
    choices += [Choice("family", ctx._("All topics for families")), Choice("menu", ctx._("Main menu"))]
    ctx.say(ctx._(topic.text), title=ctx._(topic.label), choices=choices)


async def home(ctx: Context, available: list[Topic]) -> None:
    week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
    await ctx.uow.tallies.add(week, "family")
    child = ctx.user.age_group is AgeGroup.CHILD
    choices = [TopicChoice(topic.id).choice(ctx._(topic.label)) for topic in available]
    choices += service_choices(ctx)
    if child:
        choices.append(Choice("urgent", ctx._("Urgent help")))
    choices.append(Choice("menu", ctx._("Main menu")))
    ctx.say(ctx._(INTRO_CHILD if child else INTRO), title=ctx._("For families"), choices=choices)


capability = Capability(
    "family",
    wired(router),
    menu=MenuEntry("family", N_("For families"), 50, for_children=True),
    understood=(Understood("family", lambda _: "family", N_("For families")),),
)
