"""Finding what an address names, or answering 404."""

from flask import abort

from voting.core.lifecycle import find_consultation
from voting.core.models import Consultation, Status
from voting.web.db import get_session


def consultation_or_404(slug: str, *, announced: bool = False) -> Consultation:
    """Return the consultation with this slug; 404 if there is none.

    ``announced``: a draft is 404 too, for pages the public sees.
    """
    consultation = find_consultation(session=get_session(), slug=slug)
    if consultation is None or (announced and consultation.status == Status.DRAFT):
        abort(404)
    return consultation
