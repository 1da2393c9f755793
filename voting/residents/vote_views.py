"""Voting with a verified resident account instead of a polling code."""

from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template
from werkzeug.wrappers import Response

from ballots.ballot_pages import ballot_or_404, current_signer, receipt_response
from ballots.casting import RegisterReference, cast_ballot
from ballots.forms import ballot_form_class
from ballots.refusals import STATUS, CastRefused, refusal_message
from voting.residents.auth import current_resident, resident_required
from voting.web.db import get_session

bp = Blueprint("resident_vote", __name__)


@bp.route("/consultations/<slug>/vote/account", methods=["GET", "POST"])
@resident_required(verified=True)
def vote(slug: str) -> Response | tuple[str, int] | str:
    """Show the ballot to a verified resident; on submit, cast it and hand out the receipt."""
    session = get_session()
    consultation = ballot_or_404(slug)
    resident = current_resident()
    assert resident is not None and resident.register_ref is not None
    form = ballot_form_class(consultation, with_code=False)()
    page = "residents/vote.html"
    if not form.is_submitted():
        return render_template(page, consultation=consultation, form=form)
    if not form.validate():
        return render_template(page, consultation=consultation, form=form), 400
    try:
        cast = cast_ballot(
            session=session,
            consultation=consultation,
            credential=RegisterReference(resident.register_ref),
            answers=form.answers(),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            signer=current_signer(),
            now=datetime.now(UTC),
        )
        session.commit()
    except CastRefused as refused:
        session.rollback()
        form.form_errors.append(refusal_message(refused, by_account=True))
        return render_template(page, consultation=consultation, form=form), STATUS[refused.reason]

    # Handed out only now: a receipt must never leave for a ballot that was not stored.
    return receipt_response(consultation, cast)
