"""Words shown for stored codes (status, kind), in the visitor's language."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("draft"),
    "scheduled": _l("announced"),
    "open": _l("open for voting"),
    "closed": _l("closed, counting pending"),
    "tallied": _l("counted, result not yet published"),
    "published": _l("result published"),
}

KIND_LABELS = {
    "advisory": _l("Citizens' survey (advisory)"),
    "binding": _l("Citizens' decision (binding)"),
}

ACTION_LABELS = {
    "schedule": _l("Announce (freezes the questions)"),
    "open": _l("Open voting"),
    "close": _l("Close voting"),
    "tally": _l("Count the votes"),
    "publish": _l("Publish the result"),
}

ROLE_LABELS = {
    "admin": _l("administrator"),
    "editor": _l("editor"),
    "auditor": _l("auditor (read only)"),
}
