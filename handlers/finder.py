"""The nearest support point: by a shared location or a typed place, filtered by the service needed.

A shared location is used to rank the points and then dropped: it is never stored.  While the person
pages through the answer ("more"), the sealed conversation state keeps the ranked point ids and their
distances for a quarter of an hour at most.  A report that a listing is wrong is stored against the
point only: the point, the reason and the day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.capability import Capability, Flow, Hook, HookFunction, MenuEntry, Understood, Wiring
from core.choices import ChoiceData
from core.clock import week_start
from core.conversation import Context, Routes
from core.events import Choice, CommandMessage, Link, LocationShared, Reply, TextMessage, Venue
from core.i18n import N_
from core.ports import AgeGroup
from domain.directory import FEES, FILTERS, KINDS, PICKER, REPORT_REASONS, About, DirectorySnapshot, ServicePoint
from domain.gazetteer import Gazetteer, Place
from domain.geo import in_vietnam, on_earth, parse_coordinates
from domain.indicators import referral_subject
from handlers.directory_cache import DirectoryCache
from handlers.entry_points import BookHere, FindService
from handlers.hours_text import now_text, week_lines
from handlers.menu import refused_for_children
from handlers.services import Services

FLOW = Flow("finder", N_("the list of nearest support points you asked for (not your location)"))
PAGE = 5
MAX_RESULTS = 25
FAR_KM = 100  # nearer than this is "near you"; beyond it the answer says there is nothing near
KEEP_RESULTS_SECONDS = 15 * 60
ALL = "all"

ASK = N_(
    "Share your location, or type the place you are in: a province, a former district such as "
    "Hoàn Kiếm or Quận 8, or a ward. "  # place names as people type them (noqa: i18n)
    "I use your location only to find the nearest points, and I do not keep it."
)


def osm_link(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


def distance_text(ctx: Context, km: float) -> str:
    if km < 1:
        return ctx._("{metres} m").format(metres=ctx.i18n.number(max(10, round(km * 100) * 10)))
    if km < 10:
        return ctx._("{km} km").format(km=ctx.i18n.number(km, digits=1))
    return ctx._("{km} km").format(km=ctx.i18n.number(round(km)))


def status_text(ctx: Context, point: ServicePoint) -> str:
    if point.about.status == "temporarily_closed":
        return "⚠ " + ctx._("Temporarily closed: please call before you go")
    return now_text(ctx, point.hours)


def _ages(ctx: Context, about: About) -> str:
    low, high = about.min_age, about.max_age
    if low is not None and high is not None:
        return ctx._("For ages {low} to {high}").format(low=low, high=high)
    if low is not None:
        return ctx._("For ages {low} and over").format(low=low)
    if high is not None:
        return ctx._("For ages up to {high}").format(high=high)
    return ""


def about_lines(ctx: Context, about: About) -> list[str]:
    """What the listing says beyond place and hours: what it is, who it is for, cost, languages, access, links."""
    languages = ", ".join(ctx.i18n.language(code) for code in about.languages)
    lines = [
        about.description,
        "; ".join(part for part in (_ages(ctx, about), about.eligibility) if part),
        ctx._(FEES[about.fee]) if FEES.get(about.fee) else "",
        ctx._("Languages: {languages}").format(languages=languages) if languages else "",
        ctx._("Access: {accessibility}").format(accessibility=about.accessibility) if about.accessibility else "",
        ctx._("Website: {url}").format(url=about.url) if about.url else "",
        ctx._("Email: {email}").format(email=about.email) if about.email else "",
    ]
    return [line for line in lines if line]


def point_block(ctx: Context, number: int, point: ServicePoint, km: float) -> str:
    """One point of a list of nearest points: name and distance, services, open now, phone, address."""
    lines = [f"{number}. {point.name} ({distance_text(ctx, km)})", "   " + kinds_text(ctx, point)]
    lines.append("   " + status_text(ctx, point))
    if point.phone:
        lines.append("   ☎ " + point.phone)
    where = ", ".join(part for part in (point.address, point.commune) if part)
    if where:
        lines.append("   " + where)
    return "\n".join(lines)


def kinds_text(ctx: Context, point: ServicePoint) -> str:
    return ", ".join(ctx._(KINDS[k]) for k in point.kinds if k in KINDS)


def filter_label(ctx: Context, filter_id: str | None) -> str:
    chosen = FILTERS.get(filter_id or "")
    return ctx._(chosen.label) if chosen else ctx._("All services")


CHILD_REFUSAL = N_("For finding services, please ask an adult you trust, or call 111.")


@dataclass(frozen=True)
class PickService(ChoiceData, prefix="find.kind"):
    service: str  # a filter, or ALL


@dataclass(frozen=True)
class Candidate(ChoiceData, prefix="find.which"):
    index: int


@dataclass(frozen=True)
class Detail(ChoiceData, prefix="find.point"):
    point: int


@dataclass(frozen=True)
class ReportPoint(ChoiceData, prefix="find.report"):
    point: int


@dataclass(frozen=True)
class ReportReason(ChoiceData, prefix="find.reason"):
    point: int
    reason: str


def create(gazetteer: Gazetteer, cache: DirectoryCache) -> tuple[Routes, HookFunction]:
    """The finder's router, and a hook that answers a location shared outside any conversation."""
    router = Routes("finder")

    def data(ctx: Context) -> dict[str, Any]:
        return dict(ctx.state.data) if ctx.state.flow == FLOW.name else {}

    def current_filter(ctx: Context) -> str | None:
        value = data(ctx).get("filter")
        return value if isinstance(value, str) and value in FILTERS else None

    def ask_place(ctx: Context, filter_id: str | None, note: str | None = None) -> None:
        ctx.state.enter(FLOW.name, "ask", filter=filter_id)
        text = ctx._(ASK) + "\n\n" + ctx._("Looking for: {service}.").format(service=filter_label(ctx, filter_id))
        choices = (Choice("find.kinds", ctx._("Choose the service")), Choice("menu", ctx._("Main menu")))
        title = ctx._("Nearest support point")
        ctx.say((note + "\n\n" if note else "") + text, title=title, request_location=True, choices=choices)
        if note:  # asked again later (after an interruption) without what went wrong this time
            ctx.ask_again = Reply(text, title=title, choices=choices, request_location=True)

    @router.choice("find", anytime=True)
    async def find(ctx: Context) -> None:
        if not refused_for_children(ctx, CHILD_REFUSAL):
            await ask_or_search(ctx, None)

    @router.choice(FindService, anytime=True)
    async def find_service(ctx: Context, data: FindService) -> None:
        if not refused_for_children(ctx, CHILD_REFUSAL):
            await ask_or_search(ctx, data.service if data.service in FILTERS else None)

    async def ask_or_search(ctx: Context, chosen: str | None) -> None:
        """Ask where, unless the person already said it (typed, and understood).

        As in "methadone ở quận 8" (noqa: i18n)."""
        if ctx.typed:
            snapshot = await cache.get(ctx.uow)
            places = gazetteer.lookup(ctx.typed, extra=snapshot.communes)
            if len(places) == 1:
                await search(ctx, places[0].lat, places[0].lon, chosen, place=places[0])
                return
            if places:
                ask_which(ctx, chosen, places)
                return
        ask_place(ctx, chosen)

    def ask_which(ctx: Context, chosen: str | None, places: Sequence[Place]) -> None:
        ctx.state.enter(FLOW.name, "which", filter=chosen, candidates=[p.id for p in places])
        ctx.say(
            ctx._("Which one do you mean?"),
            choices=[Candidate(i).choice(place_label(ctx, p)) for i, p in enumerate(places)]
            + [Choice("find", ctx._("Type another place"))],
        )

    @router.choice("find.kinds")
    async def kinds(ctx: Context) -> None:
        state = data(ctx)
        choices = [PickService(ALL).choice(ctx._("All services"))]
        choices += [PickService(fid).choice(ctx._(FILTERS[fid].label)) for fid in PICKER]
        ctx.state.enter(FLOW.name, "kind", **{k: v for k, v in state.items() if k in ("filter", "place")})
        ctx.say(ctx._("Which service are you looking for?"), choices=choices)

    @router.choice(PickService)
    async def pick_kind(ctx: Context, picked: PickService) -> None:
        state = data(ctx)
        chosen = picked.service if picked.service in FILTERS else None
        place_id = state.get("place")
        place = _place_by_id(place_id, await snapshot_places(ctx)) if isinstance(place_id, str) else None
        if place is not None:
            await search(ctx, place.lat, place.lon, chosen, place=place)
        else:
            ask_place(ctx, chosen)

    async def snapshot_places(ctx: Context) -> list[Place]:
        snapshot = await cache.get(ctx.uow)
        return [*gazetteer.places, *snapshot.communes]

    @router.flow(FLOW)
    async def typed(ctx: Context) -> None:
        event = ctx.event
        chosen = current_filter(ctx)
        if not isinstance(event, TextMessage):
            ask_place(ctx, chosen)
            return
        snapshot = await cache.get(ctx.uow)
        places = gazetteer.lookup(event.text, extra=snapshot.communes)
        if not places:
            # not a place, but another request, as typed: "con tôi nghiện" (noqa: i18n)
            if await ctx.understood_instead():
                return
            ask_place(ctx, chosen, ctx._("I could not find that place."))
        elif len(places) == 1:
            await search(ctx, places[0].lat, places[0].lon, chosen, place=places[0])
        else:
            ask_which(ctx, chosen, places)

    def place_label(ctx: Context, place: Place) -> str:
        province = gazetteer.provinces.get(place.province)
        if place.kind == "province" or province is None:
            return place.name
        if place.former_province and place.kind == "former_province":
            return ctx._("{place} (now {province})").format(place=place.name, province=province.name)
        return f"{place.name} ({province.name})"

    @router.choice(Candidate)
    async def which(ctx: Context, chosen: Candidate) -> None:
        state = data(ctx)
        candidates = state.get("candidates") or []
        index = chosen.index
        place = _place_by_id(candidates[index], await snapshot_places(ctx)) if 0 <= index < len(candidates) else None
        if place is None:
            ask_place(ctx, current_filter(ctx))
            return
        await search(ctx, place.lat, place.lon, current_filter(ctx), place=place)

    async def search(ctx: Context, lat: float, lon: float, filter_id: str | None, place: Place | None = None) -> None:
        snapshot = await cache.get(ctx.uow)
        hits = snapshot.nearest(lat, lon, filter_id, MAX_RESULTS)
        province = place.province if place else (snapshot.points[hits[0].key].province if hits else "")
        week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
        await ctx.uow.tallies.add(week, "find", subject=filter_id or ALL, province=province)
        if not hits and filter_id is None:
            ctx.state.leave()
            ctx.say(
                ctx._(
                    "No service points are listed yet, so I cannot suggest one. If you need help now, the urgent "
                    "help page has numbers you can call."
                ),
                choices=[Choice("urgent", ctx._("Urgent help")), Choice("menu", ctx._("Main menu"))],
            )
            return
        if not hits:
            note = ctx._('No point offering "{service}" is listed yet.').format(service=filter_label(ctx, filter_id))
            ctx.state.enter(FLOW.name, "ask", filter=None, place=place.id if place else None)
            ctx.say(
                note,
                choices=[PickService(ALL).choice(ctx._("Look for all services")), Choice("menu", ctx._("Main menu"))],
            )
            return
        ctx.state.enter(
            FLOW.name,
            "results",
            keep_for=KEEP_RESULTS_SECONDS,
            filter=filter_id,
            place=place.id if place else None,
            origin=place_label(ctx, place) if place else "",
            results=[[hit.key, round(hit.km, 2)] for hit in hits],
            page=0,
            abroad=not in_vietnam(lat, lon),  # a flag only: the location itself is not kept
        )
        show_page(ctx, snapshot)

    def show_page(ctx: Context, snapshot: DirectorySnapshot) -> None:
        state = data(ctx)
        results: list[list[Any]] = state.get("results") or []
        page = int(state.get("page") or 0)
        listed = [(snapshot.points[int(key)], float(km)) for key, km in results if int(key) in snapshot.points]
        # Numbered from 1 on every page, as the choices are: typing 2 opens the second point shown.
        shown = [(n, point, km) for n, (point, km) in enumerate(listed[page * PAGE : (page + 1) * PAGE], start=1)]
        if not shown:
            ask_place(ctx, current_filter(ctx))
            return
        origin = state.get("origin") or ""
        title = (
            ctx._("Nearest to {place}: {service}").format(place=origin, service=filter_label(ctx, current_filter(ctx)))
            if origin
            else ctx._("Nearest to you: {service}").format(service=filter_label(ctx, current_filter(ctx)))
        )
        blocks = []
        far = page == 0 and listed[0][1] > FAR_KM
        if far:
            nearest, km = listed[0]
            province = gazetteer.provinces.get(nearest.province)
            where = province.name if province else nearest.name
            why = (
                ctx._("This location seems to be outside Viet Nam: the points listed here are all in Viet Nam.")
                if state.get("abroad")
                else ctx._("There is no point within {limit} km of you.").format(limit=FAR_KM)
            )
            nearest_text = ctx._(
                "The nearest is in {where}, {distance} away. A counsellor can also talk with you by phone."
            ).format(where=where, distance=distance_text(ctx, km))
            blocks.append(f"⚠ {why} {nearest_text}")
        if any(point.sample for _, point, _ in shown):
            blocks.append("⚠ " + ctx._("These are sample listings for trying the bot out, not real services."))
        blocks.extend(point_block(ctx, number, point, km) for number, point, km in shown)
        choices = [Detail(point.id).choice(point.name) for _, point, _ in shown if point.id is not None]
        if (page + 1) * PAGE < len(results):
            choices.append(Choice("find.more", ctx._("More")))
        if far:
            choices.append(Choice("book.phone", ctx._("Counselling by phone")))
        choices += [Choice("find.kinds", ctx._("Choose the service")), Choice("menu", ctx._("Main menu"))]
        links = [Link(f"🗺 {number}. {point.name}", osm_link(point.lat, point.lon)) for number, point, _ in shown]
        ctx.say("\n\n".join(blocks), title=title, choices=choices, links=links)

    @router.choice("find.more")
    async def more(ctx: Context) -> None:
        ctx.state.data["page"] = int(data(ctx).get("page") or 0) + 1
        show_page(ctx, await cache.get(ctx.uow))

    @router.choice("find.list")
    async def back_to_list(ctx: Context) -> None:
        show_page(ctx, await cache.get(ctx.uow))

    async def chosen_point(ctx: Context, point_id: int) -> ServicePoint | None:
        """The point a choice names; None (the list is shown again) if it is gone."""
        snapshot = await cache.get(ctx.uow)
        point = snapshot.points.get(point_id)
        if point is None or point.id is None:
            show_page(ctx, snapshot)
            return None
        return point

    @router.choice(Detail)
    async def detail(ctx: Context, chosen: Detail) -> None:
        point = await chosen_point(ctx, chosen.point)
        if point is None or point.id is None:
            return
        await count_referral(ctx, point)
        province = gazetteer.provinces.get(point.province)
        lines = [kinds_text(ctx, point)]
        where = ", ".join(p for p in (point.address, point.commune, province.name if province else "") if p)
        if where:
            lines.append(ctx._("Address: {address}").format(address=where))
        if point.phone:
            lines.append(ctx._("Phone: {phone}").format(phone=point.phone))
        lines.append(status_text(ctx, point))
        if point.hours is not None and point.about.status == "active":
            lines.extend("   " + line for line in week_lines(ctx, point.hours))
        lines.extend(about_lines(ctx, point.about))
        if point.notes:
            lines.append(point.notes)
        checked = (
            ctx._("Listing last checked on {date}.").format(date=ctx.i18n.date(point.verified_on, "dd/MM/yyyy"))
            if point.verified_on
            else ctx._("This listing has not been checked yet.")
        )
        lines.append(checked + (" " + ctx._("Source: {source}.").format(source=point.source) if point.source else ""))
        if point.sample:
            lines.append("⚠ " + ctx._("Sample listing for trying the bot out: not a real service."))
        ctx.say(
            "\n".join(lines),
            title=point.name,
            links=[Link(ctx._("Open the map"), osm_link(point.lat, point.lon))],
            venue=Venue(point.lat, point.lon, point.name, where or point.name),
            choices=[
                BookHere(point.id).choice(ctx._("Book counselling here")),
                ReportPoint(point.id).choice(ctx._("Report a problem with this listing")),
                Choice("find.list", ctx._("Back to the list")),
                Choice("menu", ctx._("Main menu")),
            ],
        )

    async def count_referral(ctx: Context, point: ServicePoint) -> None:
        """A point chosen from the results is a referral (an anonymous weekly count), once per search."""
        referred: list[int] = list(data(ctx).get("referred") or [])
        if point.id is None or point.id in referred or ctx.state.flow != FLOW.name:
            return
        ctx.state.data["referred"] = [*referred, point.id]
        searched = current_filter(ctx)
        subject = referral_subject(FILTERS[searched].kinds if searched else None, point.kinds)
        week = week_start(ctx.now.astimezone(ctx.i18n.timezone).date())
        await ctx.uow.tallies.add(week, "referral", subject=subject, province=point.province)

    @router.choice(ReportPoint)
    async def ask_report(ctx: Context, chosen: ReportPoint) -> None:
        point = await chosen_point(ctx, chosen.point)
        if point is None or point.id is None:
            return
        choices = [ReportReason(point.id, key).choice(ctx._(label)) for key, label in REPORT_REASONS.items()]
        choices.append(Choice("find.list", ctx._("Back to the list")))
        ctx.say(ctx._("What is wrong with this listing?"), title=point.name, choices=choices)

    @router.choice(ReportReason)
    async def report(ctx: Context, chosen: ReportReason) -> None:
        point = await chosen_point(ctx, chosen.point)
        if point is None or point.id is None:
            return
        reason = chosen.reason
        reported: list[int] = list(data(ctx).get("reported") or [])
        if reason in REPORT_REASONS and point.id not in reported:
            today = ctx.now.astimezone(ctx.i18n.timezone).date()
            await ctx.uow.directory.report(point.id, reason, today)
            await ctx.uow.tallies.add(week_start(today), "listing_report", subject=reason, province=point.province)
            ctx.state.data["reported"] = [*reported, point.id]
        ctx.say(
            ctx._(
                "Thank you. Programme staff will check this listing. Your report is anonymous: it is kept with "
                "the listing only, not with you."
            ),
            choices=[Choice("find.list", ctx._("Back to the list")), Choice("menu", ctx._("Main menu"))],
        )

    @router.command("location", "vitri")
    async def typed_location(ctx: Context) -> None:
        """Coordinates typed as a command (/location 21.028 105.854): for channels that cannot share a location,
        and the console.  A mistake is explained and the finder stays where it was."""
        args = ctx.event.args if isinstance(ctx.event, CommandMessage) else ""
        if refused_for_children(ctx, CHILD_REFUSAL):
            return
        coordinates = parse_coordinates(args)
        stay = [Choice("find.kinds", ctx._("Choose the service")), Choice("menu", ctx._("Main menu"))]
        if coordinates is None:
            ctx.say(ctx._("Type the latitude, then the longitude, for example: /location 21.028 105.854"), choices=stay)
            return
        lat, lon = coordinates
        if not on_earth(lat, lon):
            ctx.say(
                ctx._(
                    "{lat} {lon} is not a place on Earth: the latitude goes from -90 to 90 and the longitude "
                    "from -180 to 180. For example: /location 21.028 105.854"
                ).format(lat=lat, lon=lon),
                choices=stay,
            )
            return
        await search(ctx, lat, lon, current_filter(ctx))

    async def location_anywhere(ctx: Context) -> bool:
        """Hook: a location shared outside any conversation looks for the nearest points of any kind."""
        if not isinstance(ctx.event, LocationShared) or ctx.state.flow not in (None, FLOW.name):
            return False
        if ctx.user.age_group is AgeGroup.CHILD:
            return False
        location = ctx.event.location
        await search(ctx, location.latitude, location.longitude, current_filter(ctx))
        return True

    return router, location_anywhere


def _place_by_id(place_id: Any, places: Sequence[Place]) -> Place | None:
    return next((p for p in places if p.id == place_id), None)


def _setup(services: Services) -> Wiring:
    routes, location_hook = create(services.gazetteer, services.directory)
    return Wiring((routes,), hooks=(Hook(20, location_hook),))


# The intents' service names that are not filter ids of their own (the others are: "detox", "prep", ...).
INTENT_FILTERS = {"testing": "hiv_testing"}


def filter_of(service: str | None) -> str | None:
    """The filter an intent's service stands for, if there is one."""
    chosen = INTENT_FILTERS.get(service or "", service)
    return chosen if chosen in FILTERS else None


def _find_choice(service: str | None) -> str:
    chosen = filter_of(service)
    return FindService(chosen).pack() if chosen else "find"


def _find_label(service: str | None) -> str | None:
    chosen = filter_of(service)
    return FILTERS[chosen].label if chosen else None


capability = Capability(
    "finder",
    _setup,
    menu=MenuEntry("find", N_("Nearest support point"), 20),
    flows=(FLOW,),
    understood=(Understood("find", _find_choice, N_("Nearest support point"), _find_label),),
)
