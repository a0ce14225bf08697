"""What both Telegram runtimes share beyond rendering: the channel's name, its webhook route and how it is
registered (each library's ``prepare`` and ``set_webhook`` do the talking)."""

from __future__ import annotations

from bot.channels.base import InOrder, WebhookRoute
from bot.channels.telegram.render import CHANNEL, INFO, WEBHOOK_HEADER, WEBHOOK_PATH, id_batches
from core.events import ChoiceMade, Wipe


class TelegramChannel(InOrder):
    name = CHANNEL
    info = INFO

    @property
    def webhook(self) -> WebhookRoute:
        return WebhookRoute(WEBHOOK_PATH, WEBHOOK_HEADER, self.feed_update)

    async def register_webhook(self, url: str | None, secret: str) -> None:
        self.by_webhook = True  # then the platform delivers again what was not answered 200
        if url is None:
            await self.prepare()
        else:
            await self.set_webhook(url, secret)

    def press(
        self, person: str | None, user_id: int, data: str, chat_id: int, update_id: int, message_id: int | None = None
    ) -> ChoiceMade:
        """The event of a button pressed in a private chat (``person``: the pseudonym, if computed already), under
        the message ``message_id``."""
        return ChoiceMade(
            person or self.pseudonym(user_id),
            CHANNEL,
            data,
            address=str(chat_id),
            delivery_key=self.delivery_key(update_id),
            position=message_id,
        )

    async def delete_messages(self, address: str, wipe: Wipe) -> None:
        """Delete a private chat's messages ``wipe.first`` to ``wipe.last``, both sides', 100 ids a call (Telegram
        skips the ids it cannot find; a batch it refuses, too old, does not stop the others), and those
        remembered under ``wipe.marks``."""
        marked = await self._conversation.take_marked(wipe.marks) if wipe.marks else []
        for batch in id_batches(wipe.first, wipe.last, marked):
            await self.delete_batch(int(address), batch)

    async def delete_batch(self, chat_id: int, message_ids: list[int]) -> bool:
        """One deleteMessages call (each library's own); False when Telegram refused it."""
        raise NotImplementedError

    async def feed_update(self, body: dict[str, object]) -> None:
        raise NotImplementedError

    async def prepare(self) -> None:
        raise NotImplementedError

    async def set_webhook(self, url: str, secret: str) -> None:
        raise NotImplementedError
