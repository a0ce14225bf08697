"""The web console for programme staff (issue 20): a server-rendered aiohttp application under ``/web``.

``app`` builds it (routes, middlewares), ``auth`` signs staff in and keeps their sessions, ``render`` fills the
Jinja2 templates (escaped everywhere, Vietnamese through the bot's own catalog), and ``pages`` holds one module a
page.  It is served by ``python -m bot web``, beside the webhooks by ``python -m bot webhook``, and by
``python -m bot run`` (see ``bot.web.serve``).  Nothing in it shows who a client is."""
