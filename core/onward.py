"""Where messages for somebody other than the sender go (:class:`core.events.Passed`): each channel that runs
in the process registers how it sends to its own addresses, and the channel that handled an event hands its
passed messages here after the sender's own answer.  A message for a channel this process does not run stays
in ``pending_replies`` for the dispatcher of a process that does."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from core.events import Passed

log = logging.getLogger(__name__)

Route = Callable[[Passed], None]


class Onward:
    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}

    def register(self, channel: str, route: Route) -> None:
        """``route`` sends a passed message to an address of ``channel`` (in the background, in order per
        address); the channel registered last wins."""
        self._routes[channel] = route

    def send(self, passed: Sequence[Passed]) -> None:
        for message in passed:
            route = self._routes.get(message.channel)
            if route is None:  # kept sealed in pending_replies: the dispatcher sends it where the channel runs
                log.info("a message for a channel this process does not serve is left to the dispatcher")
                continue
            route(message)
