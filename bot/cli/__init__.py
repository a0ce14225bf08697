"""The command line (``python -m bot ...``): one module per group of commands."""

from bot.cli.app import app, main

__all__ = ["app", "main"]
