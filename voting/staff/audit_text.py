"""The audit trail's lifecycle events as sentences, in the reader's language."""

from flask_babel import gettext as _

from voting.core.models import AuditEvent


def audit_sentence(event: AuditEvent) -> str:
    """Say what a lifecycle event records; other events are shown by their code."""
    details, actor = event.details or {}, event.actor
    if event.action == "consultation.close" and details.get("requested_by"):
        return _(
            "%(actor)s closed voting before the scheduled end, as %(requested_by)s asked, "
            "for this reason: “%(reason)s”",
            actor=actor,
            requested_by=details["requested_by"],
            reason=details.get("reason", ""),
        )
    sentences = {
        "consultation.schedule": lambda: _("%(actor)s announced the consultation.", actor=actor),
        "consultation.open": lambda: _("%(actor)s opened voting.", actor=actor),
        "consultation.close": lambda: _("%(actor)s closed voting.", actor=actor),
        "consultation.close_requested": lambda: _(
            "%(actor)s asked to close voting before the scheduled end, for this reason: "
            "“%(reason)s”. A second staff member must confirm.",
            actor=actor,
            reason=details.get("reason", ""),
        ),
        "consultation.tally": lambda: _("%(actor)s counted the votes.", actor=actor),
        "consultation.publish": lambda: _(
            "%(actor)s approved and published the result.", actor=actor
        ),
        "electorate.deleted": lambda: _("%(actor)s deleted the electorate.", actor=actor),
    }
    return sentences[event.action]() if event.action in sentences else event.action
