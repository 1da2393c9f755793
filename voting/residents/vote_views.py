"""Voting with a verified resident account instead of a polling code."""

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ballots.definition import find_definition
from ballots.forms import ballot_form_class
from ballots.receipt_page import current_signer, receipt_response
from ballots.services import CastRefused, cast_resident_ballot
from voting.core.models import Status
from voting.residents.auth import current_resident, resident_required
from voting.web.db import get_session

bp = Blueprint("resident_vote", __name__)


def _refusal(refused: CastRefused) -> tuple[str, int]:
    if refused.reason == "already_voted":
        return _("You have already voted in this consultation, online or on paper."), 409
    if refused.reason == "not_open":
        return _("This consultation is not open for voting."), 409
    if refused.reason == "not_in_electorate":
        return _(
            "You are not in the electorate of this consultation (for example because of age "
            "or district). If you think this is wrong, please contact the city."
        ), 403
    return _("Please choose only among the options shown, and no more than allowed."), 400


@bp.route("/consultations/<slug>/vote/account", methods=["GET", "POST"])
@resident_required(verified=True)
def vote(slug: str) -> Response | tuple[str, int] | str:
    """Show the ballot to a verified resident; on submit, cast it and hand out the receipt."""
    session = get_session()
    consultation = find_definition(session=session, slug=slug)
    if consultation is None or consultation.status == Status.DRAFT:
        abort(404)
    resident = current_resident()
    assert resident is not None and resident.register_ref is not None
    form = ballot_form_class(consultation, with_code=False)()
    page = "residents/vote.html"
    if not form.is_submitted():
        return render_template(page, consultation=consultation, form=form)
    if not form.validate():
        return render_template(page, consultation=consultation, form=form), 400
    try:
        cast = cast_resident_ballot(
            session=session,
            consultation_id=consultation.id,
            register_ref=resident.register_ref,
            answers=form.answers(),
            signer=current_signer(),
            now=datetime.now(UTC),
        )
        session.commit()
    except CastRefused as refused:
        session.rollback()
        message, status = _refusal(refused)
        form.form_errors.append(message)
        return render_template(page, consultation=consultation, form=form), status

    # Handed out only now: a receipt must never leave for a ballot that was not stored.
    return receipt_response(consultation, cast)
