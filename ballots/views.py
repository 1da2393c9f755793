"""Casting a ballot on the web and the public signing keys."""

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ballots.ballot_pages import ballot_or_404, cast_from_form, recorded_answers
from ballots.casting import PollingCode
from ballots.checking import (
    ReceiptUnreadable,
    check_receipt,
    parse_receipt,
    receipt_for_tracking_code,
)
from ballots.definition import find_definition
from ballots.forms import ballot_form_class
from ballots.keys import public_key_list
from ballots.limits import guard_code_guesses
from ballots.refusals import euros
from voting.web.db import get_session

bp = Blueprint("ballots", __name__)


@bp.route("/consultations/<slug>/vote", methods=["GET", "POST"])
@guard_code_guesses
def vote(slug: str) -> Response | tuple[str, int] | str:
    """Show the ballot; on submit, cast it and hand out the signed receipt."""
    consultation = ballot_or_404(slug)
    form = ballot_form_class(consultation)()
    if not form.is_submitted():
        return render_template("ballots/vote.html", consultation=consultation, form=form)
    # A ballot for a closed consultation is refused by the cast below, before any check.
    if consultation.is_open and not form.validate():
        return render_template("ballots/vote.html", consultation=consultation, form=form), 400
    return cast_from_form(consultation, form, PollingCode(form.code.data), page="ballots/vote.html")


@bp.get("/keys.json")
def keys() -> Response:
    """Publish every receipt-signing public key."""
    return jsonify({"keys": public_key_list(session=get_session())})


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> tuple[str, int] | str:
    """Meine Stimme prüfen: check a pasted or uploaded receipt, or a tracking code."""
    if request.method == "GET":
        return render_template("ballots/verify.html", check=None, error=None)
    session = get_session()
    upload = request.files.get("receipt_file")
    text = upload.read() if upload and upload.filename else request.form.get("receipt", "")
    tracking_code = request.form.get("tracking_code", "")
    try:
        if text.strip():
            receipt = parse_receipt(text)
        elif tracking_code.strip():
            receipt = receipt_for_tracking_code(session=session, tracking_code=tracking_code)
        else:
            error = _("Please paste or upload your receipt, or enter your tracking code.")
            return render_template("ballots/verify.html", check=None, error=error), 400
        check = check_receipt(session=session, receipt=receipt)
    except ReceiptUnreadable:
        error = _(
            "This is not a receipt of this site, or the tracking code is unknown. Please "
            "compare it with the receipt you downloaded after voting."
        )
        return render_template("ballots/verify.html", check=None, error=error), 400
    recorded = []
    if check.content is not None:
        definition = find_definition(session=session, consultation_id=check.consultation.id)
        assert definition is not None  # the receipt was checked against this consultation
        recorded = recorded_answers(definition, check.content)
    return render_template("ballots/verify.html", check=check, recorded=recorded, error=None)


@bp.app_template_global("format_euros")
def _format_euros(amount: int) -> str:
    return euros(amount)
