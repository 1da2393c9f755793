"""Voting with a verified resident account instead of a polling code."""

from flask import Blueprint, render_template
from werkzeug.wrappers import Response

from ballots.ballot_pages import ballot_or_404, cast_from_form
from ballots.casting import RegisterReference
from ballots.forms import ballot_form_class
from voting.residents.auth import current_resident, resident_required

bp = Blueprint("resident_vote", __name__)


@bp.route("/consultations/<slug>/vote/account", methods=["GET", "POST"])
@resident_required(verified=True)
def vote(slug: str) -> Response | tuple[str, int] | str:
    """Show the ballot to a verified resident; on submit, cast it and hand out the receipt."""
    consultation = ballot_or_404(slug)
    resident = current_resident()
    assert resident is not None and resident.register_ref is not None
    form = ballot_form_class(consultation, with_code=False)()
    page = "residents/vote.html"
    if not form.is_submitted():
        return render_template(page, consultation=consultation, form=form)
    if not form.validate():
        return render_template(page, consultation=consultation, form=form), 400
    return cast_from_form(
        consultation, form, RegisterReference(resident.register_ref), page=page, by_account=True
    )
