"""Turning data into what people look at: maps, printable pages and the text in them.

Every piece of text a user typed or a file brought passes through :mod:`containment.render.text`
on its way into HTML, so a name is always shown as a name and never run as markup or script.
"""

__all__: list[str] = []  # the modules are the API: import from them
