"""Application services both the conversation's handlers and the background jobs use (arrows point one way:
handlers and jobs import services; services import only the core and the domain)."""
