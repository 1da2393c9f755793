"""Markdown of consultation texts, rendered safely for the public pages."""

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# What a description may use: paragraphs, emphasis, lists, headings below the page's
# own, quotes, links and tables. Everything else is dropped by nh3.
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
    "a", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@cache
def _parser() -> MarkdownIt:
    # "html": False turns raw HTML in the text into visible text, not markup.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    """Return ``text`` as sanitised HTML: no raw HTML, no scripts, only safe links."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
