"""Words shown for a proposal's stored status, in the visitor's language."""

from flask_babel import lazy_gettext as _l

PROPOSAL_STATUS_LABELS = {
    "submitted": _l("submitted, awaiting review"),
    "changes_requested": _l("changes requested"),
    "rejected": _l("rejected"),
    "published": _l("published, collecting support"),
    "agenda": _l("on the council's agenda"),
    "consultation": _l("put to the residents' vote"),
}
