"""Telegram channel: rendering and conventions shared by every Telegram runtime."""
