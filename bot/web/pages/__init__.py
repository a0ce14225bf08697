"""One module a page (or a family of pages) of the console, each naming its routes and roles in ``PAGES``."""
