"""The site frame's header and footer, rendered once per language and page for visitors.

Every visitor who is not logged in sees the same header and footer on a page in one
language: fifteen links and twenty translated strings, built anew for each request
otherwise. The receipt page, on the path of every vote, spent about a tenth of a vote's
time on them. Logged-in visitors see their own account links and a CSRF token, so their
frame is always rendered afresh.
"""

from threading import Lock
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

EXTENSION_KEY = "buergervotum.fragments"
# Pages × languages a process keeps; a query string makes a page address of its own, so
# the count is bounded, the least recently used going first.
MAX_FRAGMENTS = 2048


def for_visitors(render: Any, *key: str) -> Markup:
    """Return the output of the template macro ``render``, kept for visitors not logged in.

    ``key`` names everything the macro's output depends on besides the visitor: the
    language, and the page's address where links lead back to it. The site's own root
    address is added here. With the app in debug mode nothing is kept, so edited
    templates show at once.
    """
    app: Flask = current_app
    if current_user.is_authenticated or app.debug:
        return Markup(render())
    full_key = (render.name, request.script_root, *key)
    fragments, lock = app.extensions.setdefault(EXTENSION_KEY, (LRUCache(MAX_FRAGMENTS), Lock()))
    with lock:
        rendered = fragments.get(full_key)
    if rendered is None:
        # Rendered outside the lock: two first visitors may both render, never wait.
        rendered = Markup(render())
        with lock:
            fragments[full_key] = rendered
    return rendered
