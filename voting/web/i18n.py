"""Translations in templates, looked up once per page instead of once per string.

Flask-Babel's template functions look up the request's locale and catalogue anew
for every string, through several context locals each; a page has dozens of
strings, and the receipt page is on the path of every vote. The functions here
behave as Jinja's "newstyle" gettext does (autoescaped, always %-formatted) but
are bound to the catalogue once, by a context processor, for each rendering.
"""

from typing import Any

from flask_babel import get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup


def translation_functions() -> dict[str, Any]:
    """Return ``gettext`` (also as ``_``) and ``ngettext`` bound to the request's catalogue."""
    translations = get_translations()
    translate = translations.ugettext
    translate_plural = translations.ungettext

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
        text = translate(string)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        text = translate_plural(singular, plural, num)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    # "_" directly too: Jinja's own "_" would look "gettext" up again for every string.
    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}
