"""The channels: each platform in its own folder, implementing :class:`bot.channels.base.Channel`, and
registered once in :mod:`bot.channels.registry`."""
